// Regenerates openapi.json from the controllers and DTOs (npm run openapi), and from it the TypeScript types
// openapi-typescript makes (test/support/openapi-schema.ts, what the generated-client test compiles against).
// The application is created but never initialised, and its Redis connection is lazy, so no Redis is needed.
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateOpenApiJson } from '../src/openapi/generate';

const ROOT = join(__dirname, '..');
export const OPENAPI_JSON = join(ROOT, 'openapi.json');
export const OPENAPI_TYPES = join(ROOT, 'test', 'support', 'openapi-schema.ts');

/**
 * What openapi-typescript's command line makes of the document's text (read from stdin). The command line,
 * not the module: the module loads ES-module-only dependencies that Jest cannot require.
 */
export function openApiTypes(json: string): string {
  const cli = join(ROOT, 'node_modules', '.bin', 'openapi-typescript');
  const run = spawnSync(cli, [], { input: json, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`openapi-typescript failed: ${run.stderr}`);
  return run.stdout;
}

async function main(): Promise<void> {
  const json = await generateOpenApiJson();
  writeFileSync(OPENAPI_JSON, json);
  writeFileSync(OPENAPI_TYPES, openApiTypes(json));
  process.stdout.write(`wrote ${OPENAPI_JSON} and ${OPENAPI_TYPES}\n`);
}

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(`${err.stack ?? err.message}\n`);
    process.exit(1);
  });
}
