import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Redis from 'ioredis';
import { ImRateLimiter } from '../src/notify/tencent-im/rate-limiter';
import { SendPriority, SendQueue } from '../src/notify/tencent-im/send-queue';
import { defineLuaCommands } from '../src/store/lua-scripts';
import { rateStore } from './support/im-rate-store';
import { RedisServer } from './support/redis-server';

describe('shared IM rate limit (im-rate-3.lua)', () => {
  let redis: RedisServer;
  const clients: Redis[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.quit()));
    await redis?.destroy();
  });

  /** One "replica": its own connection, limiter and send queue, sharing the key. */
  const replica = (key: string, rate: number) => {
    const client = new Redis(redis.url);
    defineLuaCommands(client);
    clients.push(client);
    const limiter = new ImRateLimiter(rateStore(client, key), rate);
    return { limiter, queue: new SendQueue(limiter) };
  };

  it('holds for all replicas together', async () => {
    const rate = 100;
    const replicas = [replica('led-shared', rate), replica('led-shared', rate), replica('led-shared', rate)];
    const granted: number[] = [];
    await Promise.all(
      replicas.flatMap(({ queue }) =>
        Array.from({ length: 100 }, () => queue.acquire(SendPriority.Other).then(() => granted.push(Date.now()))),
      ),
    );
    // 300 calls at 100/s: no one-second window holds more than the rate.
    expect(granted).toHaveLength(300);
    expect(busiestSecond(granted)).toBeLessThanOrEqual(rate);
  });

  it('never hands more calls than the rate to any one second, even when a replica stalls', async () => {
    const rate = 50;
    // Two replicas in processes of their own: one stalls again and again, the other keeps sending meanwhile.
    // A grant that comes back during a stall must not go out late, in a bunch with the other replica's calls.
    const env = { REDIS_URL: redis.url, KEY: 'led-stalls', RATE: String(rate), COUNT: '60', START_AT: String(Date.now() + 4000) };
    const [stalled, steady] = await Promise.all([runReplica({ ...env, STALL: '1' }), runReplica(env)]);
    const all = [...stalled.handedOver, ...steady.handedOver];
    expect(all).toHaveLength(120);
    // A send goes the moment its acquire resolves: counted there, no one-second window holds more than the rate.
    expect(busiestSecond(all)).toBeLessThanOrEqual(rate);
  }, 60000);

  it('lets endings waiting in a queue go before the interruptions queued ahead of them', async () => {
    const { queue } = replica('led-order', 50);
    const order: string[] = [];
    const waits = [
      ...Array.from({ length: 10 }, () => queue.acquire(SendPriority.Other).then(() => order.push('interrupted'))),
      ...Array.from({ length: 10 }, () => queue.acquire(SendPriority.Ended).then(() => order.push('ended'))),
    ];
    await Promise.all(waits);
    expect(order).toEqual([...Array(10).fill('ended'), ...Array(10).fill('interrupted')]);
  });

  it("holds one replica's interruption notices while another replica's endings wait", async () => {
    const a = replica('led-across', 50);
    const b = replica('led-across', 50);
    const order: string[] = [];
    // Replica b's endings arrive while replica a already waits with interruption notices.
    const others = Array.from({ length: 10 }, () => a.queue.acquire(SendPriority.Other).then(() => order.push('interrupted')));
    const endings = Array.from({ length: 20 }, () => b.queue.acquire(SendPriority.Ended).then(() => order.push('ended')));
    await Promise.all([...others, ...endings]);
    // The interruptions a had booked before b's endings were known to the limiter may go first (its horizon's
    // worth: about two round trips); none after that.
    const lastEnded = order.lastIndexOf('ended');
    const interruptedBefore = order.slice(0, lastEnded).filter((o) => o === 'interrupted').length;
    expect(interruptedBefore).toBeLessThanOrEqual(a.limiter.bookedAheadMax);
    expect(interruptedBefore).toBeLessThan(10);
  });

  it('hands waiting sends back on close, as retryable', async () => {
    const { queue } = replica('led-close', 1);
    await queue.acquire(SendPriority.Other);
    const waiting = queue.acquire(SendPriority.Other);
    queue.close();
    await expect(waiting).rejects.toMatchObject({ retryable: true });
  });
});

/** Runs test/support/im-rate-replica.ts and returns what it printed. */
function runReplica(env: Record<string, string>): Promise<{ handedOver: number[]; staleGrants: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, 'support', 'im-rate-replica.ts')], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`replica exited ${code}: ${err}`))));
  });
}

/** The most timestamps in any one-second window. */
function busiestSecond(times: number[]): number {
  const sorted = times.slice().sort((a, b) => a - b);
  let busiest = 0;
  for (let lo = 0, hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi] - sorted[lo] >= 1000) lo++;
    busiest = Math.max(busiest, hi - lo + 1);
  }
  return busiest;
}
