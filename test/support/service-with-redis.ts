import { RedisServer } from './redis-server';
import { startTestApp, TestApp } from './test-app';

/**
 * For a describe block that needs just the app and its own redis-server: starts both before the
 * block's tests and stops them after. Read `redis` and `svc` from the returned object inside tests.
 */
export function useServiceWithRedis(env: Record<string, string> = {}): { redis: RedisServer; svc: TestApp } {
  const service = {} as { redis: RedisServer; svc: TestApp };
  beforeAll(async () => {
    service.redis = await RedisServer.start();
    service.svc = await startTestApp({ REDIS_URL: service.redis.url, ...env });
  });
  afterAll(async () => {
    await service.svc?.close();
    await service.redis?.destroy();
  });
  return service;
}
