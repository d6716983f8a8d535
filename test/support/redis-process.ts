import { spawnSync } from 'node:child_process';
import Redis from 'ioredis';
import { sleep } from './wait-for';

/** The redis-server binary, checked once with a message that says how to install it. */
export function redisServerBin(): string {
  const bin = process.env.REDIS_SERVER_BIN ?? 'redis-server';
  if (spawnSync(bin, ['--version']).error) {
    throw new Error(`${bin} not found: install it (apt-get install -y redis-server) or set REDIS_SERVER_BIN`);
  }
  return bin;
}

/** Resolves once something on `port` answers PING (a redis-server or a sentinel). */
export async function waitForPing(port: number, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined); // refused until the server listens: expected, retried below
    try {
      await probe.connect();
      if ((await probe.ping()) === 'PONG') return;
    } catch {
      await sleep(25);
    } finally {
      probe.disconnect();
    }
  }
  throw new Error(`nothing answered PING on port ${port} within ${timeoutMs} ms`);
}

/** One command to one node, on a short-lived connection. */
export async function ask(port: number, ...args: Array<string | number>): Promise<unknown> {
  const client = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    return await client.call(String(args[0]), ...args.slice(1).map(String));
  } finally {
    client.disconnect();
  }
}
