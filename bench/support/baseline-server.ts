import Fastify from 'fastify';
import Redis from 'ioredis';

/**
 * The baseline of figure 1: a bare Fastify route on the heartbeat's path that validates nothing and
 * does one Redis ZADD. Whatever the service does beyond this (auth, validation, the Lua script,
 * metrics) is what the ratio measures.
 */
async function main(): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL!);
  const app = Fastify({ logger: false });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.post<{ Params: { roomId: string } }>('/v1/rooms/:roomId/heartbeat', async (request) => {
    await redis.zadd('baseline:{0}:due', Date.now(), request.params.roomId);
    return { state: 'live' };
  });
  await app.listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' });
  process.on(
    'SIGTERM',
    () =>
      void app
        .close()
        .then(() => redis.quit())
        .then(() => process.exit(0)),
  );
}

void main();
