import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { createApp } from './app.factory';
import { Environment } from './config/environment';
import { ConfigurationError, derivedSettings, loadEnvironment } from './config/load-environment';
import { describeRedisTarget } from './config/redis-target';
import { listenProblem, portProblem } from './listen-problem';
import { StoreStartupError } from './store/redis-preflight';

async function main(): Promise<void> {
  let env: Environment;
  try {
    env = loadEnvironment(process.env);
  } catch (err) {
    if (!(err instanceof ConfigurationError)) throw err;
    fail(err.message);
  }
  // Before anything else starts (and waits for Redis): a busy port is one line, not a stack after "started".
  const busy = await portProblem(env.PORT, env.HOST);
  if (busy) fail(busy);

  const app = await createApp(env);
  const logger = app.get(Logger);
  const derived = derivedSettings(env);
  if (derived.length > 0) logger.log(`settings derived from others: ${derived.join(', ')}`);
  try {
    await app.listen(env.PORT, env.HOST);
  } catch (err) {
    // Redis unreachable, too old, evicting or holding another layout (StoreModule's checks), or the port taken.
    const problem = err instanceof StoreStartupError ? err.message : listenProblem(err, env.PORT, env.HOST);
    if (!problem) throw err;
    fail(problem);
  }
  logger.log(`listening on http://${env.HOST}:${env.PORT} (HOST, PORT); Redis: ${describeRedisTarget(env)}, ready`);
  stopOnSignals(app, env);
}

/** One line on stderr, exit 1: what an operator reads in `kubectl logs` or a terminal. */
function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/**
 * SIGTERM/SIGINT: stop sweeping and reading the outbox, let deliveries and requests in flight finish,
 * close Redis, then exit 0 so the orchestrator sees a clean stop. The whole of it is bounded by
 * SHUTDOWN_TIMEOUT_MS: whatever clients do (a body that never completes, a keep-alive connection that
 * keeps sending), the open connections are then cut and the process exits 1. A second signal exits at once.
 */
function stopOnSignals(app: NestFastifyApplication, env: Environment): void {
  const logger = app.get(Logger);
  const server = app.getHttpServer();
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(1);
      stopping = true;
      logger.log(`${signal} received, draining (at most SHUTDOWN_TIMEOUT_MS, ${env.SHUTDOWN_TIMEOUT_MS} ms)`);
      // The HTTP server waits for keep-alive connections to end; close each as soon as it has no request in flight.
      setInterval(() => server.closeIdleConnections(), 100).unref();
      setTimeout(() => {
        logger.warn(`shutdown exceeded SHUTDOWN_TIMEOUT_MS (${env.SHUTDOWN_TIMEOUT_MS} ms): closing open connections and exiting`);
        server.closeAllConnections();
        process.exit(1);
      }, env.SHUTDOWN_TIMEOUT_MS).unref();
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
