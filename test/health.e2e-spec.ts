import { useServiceWithRedis } from './support/service-with-redis';
import { waitFor } from './support/wait-for';

describe('health endpoints', () => {
  const service = useServiceWithRedis();

  it('liveness stays 200 and readiness turns 503 while Redis is stopped, then recovers', async () => {
    expect((await service.svc.get('/healthz')).status).toBe(200);
    const ready = await service.svc.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ok', details: { redis: { status: 'up' } } });

    await service.redis.stop();
    const notReady = await service.svc.get('/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.body).toMatchObject({ status: 'error', details: { redis: { status: 'down' } } });
    expect((await service.svc.get('/healthz')).status).toBe(200);

    await service.redis.launch();
    await waitFor(async () => (await service.svc.get('/readyz')).status === 200, 15000, 'readiness after Redis came back');
    expect((await service.svc.get('/healthz')).status).toBe(200);
  });
});
