import { RedisServer } from './support/redis-server';
import { startTestApp, TestApp } from './support/test-app';
import { sleep } from './support/wait-for';

/** Whether any key of the service's Redis holds `text` (as a hash field, set member, stream entry or value). */
async function redisMentions(redis: RedisServer, text: string): Promise<boolean> {
  const client = redis.client();
  try {
    for (const key of await client.keys('*')) {
      const type = await client.type(key);
      const content =
        type === 'hash'
          ? (await client.hkeys(key)).join(' ')
          : type === 'zset'
            ? (await client.zrange(key, 0, -1)).join(' ')
            : type === 'set'
              ? (await client.smembers(key)).join(' ')
              : type === 'stream'
                ? JSON.stringify(await client.xrange(key, '-', '+'))
                : type === 'string'
                  ? ((await client.get(key)) ?? '')
                  : '';
      if (key.includes(text) || content.includes(text)) return true;
    }
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * Sends `count` beats at once (so the bucket cannot refill between them, however busy the machine) and returns
 * their statuses and how many the rate could have let through: the burst plus what refilled while they were
 * on the way.
 */
async function burst(send: (i: number) => Promise<{ status: number }>, count: number, rate: number, burstSize: number) {
  const startedAt = Date.now();
  const statuses = (await Promise.all(Array.from({ length: count }, (_, i) => send(i)))).map((r) => r.status);
  const allowed = burstSize + Math.floor(((Date.now() - startedAt) / 1000) * rate);
  return { statuses, allowed };
}

describe('request limits', () => {
  let redis: RedisServer;
  let svc: TestApp;

  beforeAll(async () => {
    redis = await RedisServer.start();
    // 2 beats a second on average, 3 at once: far below what the tests send.
    svc = await startTestApp({
      REDIS_URL: redis.url,
      HEARTBEAT_RATE_PER_SEC: '2',
      HEARTBEAT_RATE_BURST: '3',
      HEARTBEAT_INTERVAL_MS: '1000',
      SUSPECT_AFTER_MS: '5000',
      HEARTBEAT_TIMEOUT_MS: '10000',
      TIMEOUT_MIN_MS: '10000',
    });
  });

  afterAll(async () => {
    await svc?.close();
    await redis?.destroy();
  });

  it('refuses a body over 16 KiB with 413 and writes nothing', async () => {
    const response = await svc.post('/v1/rooms/big-room/heartbeat', { liveId: 'big-live', anchorId: 'a', padding: 'x'.repeat(17 * 1024) });
    expect(response.status).toBe(413);
    // Not a key count: the sweeps write keys of their own meanwhile. Nothing anywhere names the room or the live.
    expect(await redisMentions(redis, 'big-room')).toBe(false);
    expect(await redisMentions(redis, 'big-live')).toBe(false);
    expect((await svc.get('/v1/rooms/big-room')).body.state).toBe('idle');
  });

  it('answers 429 with Retry-After to an anchor beating faster than allowed, and lets it on afterwards', async () => {
    const beat = () => svc.post('/v1/rooms/eager-room/heartbeat', { liveId: 'eager-live', anchorId: 'a' });
    const { statuses, allowed } = await burst(beat, 8, 2, 3);
    // The burst of 3 passes (plus what refilled while the beats were on the way); the rest is refused.
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(3);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(allowed);
    expect(statuses.filter((s) => s !== 200).every((s) => s === 429)).toBe(true);

    // The bucket is empty now; the next refusal carries when to come back.
    let refused = await beat();
    for (let i = 0; i < 10 && refused.status !== 429; i++) refused = await beat();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.body.retryAfterMs).toBeGreaterThan(0);
    expect(refused.body.retryAfterMs).toBeLessThanOrEqual(500);

    await sleep(refused.body.retryAfterMs + 50);
    expect((await beat()).status).toBe(200);
    expect((await svc.get('/v1/rooms/eager-room')).body.state).toBe('live');
  });

  it('limits each room on its own', async () => {
    for (let i = 0; i < 5; i++) await svc.post('/v1/rooms/busy-room/heartbeat', { liveId: 'busy-live', anchorId: 'a' });
    expect((await svc.post('/v1/rooms/calm-room/heartbeat', { liveId: 'calm-live', anchorId: 'a' })).status).toBe(200);
  });

  it('keeps the bucket when a new live supersedes the old one (a new liveId is no way around the limit)', async () => {
    const { statuses, allowed } = await burst(
      (i) => svc.post('/v1/rooms/cycling-room/heartbeat', { liveId: `cycle-${i}`, anchorId: 'a' }),
      8,
      2,
      3,
    );
    expect(statuses.filter((s) => s !== 429).length).toBeLessThanOrEqual(allowed);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(8 - allowed);
  });
});
