import 'reflect-metadata';
import { createApp } from './app.factory';
import { ConfigurationError, loadEnvironment } from './config/load-environment';

async function main(): Promise<void> {
  let env;
  try {
    env = loadEnvironment(process.env);
  } catch (err) {
    if (!(err instanceof ConfigurationError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  const app = await createApp(env);
  await app.listen(env.PORT, env.HOST);
}

void main();
