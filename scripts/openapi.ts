// Regenerates openapi.json from the controllers and DTOs (npm run openapi). The application is created
// but never initialised, and its Redis connection is lazy, so no Redis is needed.
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateOpenApiJson } from '../src/openapi/generate';

async function main(): Promise<void> {
  const target = join(__dirname, '..', 'openapi.json');
  writeFileSync(target, await generateOpenApiJson());
  process.stdout.write(`wrote ${target}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
