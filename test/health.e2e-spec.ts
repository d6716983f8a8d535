import { RedisServer } from './support/redis-server';
import { startTestApp, TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';

describe('health endpoints', () => {
  let redis: RedisServer;
  let svc: TestApp;

  beforeAll(async () => {
    redis = await RedisServer.start();
    svc = await startTestApp({ REDIS_URL: redis.url });
  });

  afterAll(async () => {
    await svc?.close();
    await redis?.destroy();
  });

  it('liveness stays 200 and readiness turns 503 while Redis is stopped, then recovers', async () => {
    expect((await svc.get('/healthz')).status).toBe(200);
    const ready = await svc.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ok', details: { redis: { status: 'up' } } });

    await redis.stop();
    const notReady = await svc.get('/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.body).toMatchObject({ status: 'error', details: { redis: { status: 'down' } } });
    expect((await svc.get('/healthz')).status).toBe(200);

    await redis.launch();
    await waitFor(async () => (await svc.get('/readyz')).status === 200, 15000, 'readiness after Redis came back');
    expect((await svc.get('/healthz')).status).toBe(200);
  });
});
