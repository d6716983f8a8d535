import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { createApp } from './app.factory';
import { ConfigurationError, loadEnvironment } from './config/load-environment';
import { StoreStartupError } from './store/redis-preflight';

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
  try {
    await app.listen(env.PORT, env.HOST);
  } catch (err) {
    // Redis unreachable, too old, evicting or holding another layout: one line that says what to do, no stack.
    if (!(err instanceof StoreStartupError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  stopOnSignals(app);
}

/**
 * SIGTERM/SIGINT: stop sweeping and reading the outbox, let deliveries and requests in flight finish,
 * close Redis, then exit 0 so the orchestrator sees a clean stop. A second signal exits at once.
 */
function stopOnSignals(app: NestFastifyApplication): void {
  const logger = app.get(Logger);
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(1);
      stopping = true;
      logger.log(`${signal} received, draining`);
      // The HTTP server waits for keep-alive connections to end; close each as soon as it has no request in flight.
      setInterval(() => app.getHttpServer().closeIdleConnections(), 100).unref();
      app.close().then(
        () => {
          logger.log('stopped cleanly');
          process.exit(0);
        },
        (err: Error) => {
          logger.error(`shutdown failed: ${err.message}`);
          process.exit(1);
        },
      );
    });
  }
}

void main();
