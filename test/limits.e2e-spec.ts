import { RedisServer } from './support/redis-server';
import { startTestApp, TestApp } from './support/test-app';
import { sleep } from './support/wait-for';

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
    const client = redis.client();
    const keysBefore = await client.dbsize();
    const response = await svc.post('/v1/rooms/big-room/heartbeat', { liveId: 'big-live', anchorId: 'a', padding: 'x'.repeat(17 * 1024) });
    expect(response.status).toBe(413);
    expect(await client.dbsize()).toBe(keysBefore);
    client.disconnect();
    expect((await svc.get('/v1/rooms/big-room')).body.state).toBe('idle');
  });

  it('answers 429 with Retry-After to an anchor beating faster than allowed, and lets it on afterwards', async () => {
    const beat = () => svc.post('/v1/rooms/eager-room/heartbeat', { liveId: 'eager-live', anchorId: 'a' });
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await beat()).status);
    // The burst of 3 passes (plus at most one refilled on a slow machine); the rest is refused.
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);

    const refused = await beat();
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
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await svc.post('/v1/rooms/cycling-room/heartbeat', { liveId: `cycle-${i}`, anchorId: 'a' })).status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);
  });
});
