import { RedisServer } from './support/redis-server';
import { useServiceWithRedis } from './support/service-with-redis';
import { startTestApp, TestApp, WEBHOOK_SECRET } from './support/test-app';
import { waitFor } from './support/wait-for';
import { WebhookReceiver } from './support/webhook-receiver';

const ADMIN_TOKEN = 'operator-token-0123456789abcdef';

describe('admin API (ADMIN_TOKEN)', () => {
  let redis: RedisServer;
  let receiver: WebhookReceiver;
  let svc: TestApp;

  beforeAll(async () => {
    redis = await RedisServer.start();
    receiver = await WebhookReceiver.start();
    svc = await startTestApp({ REDIS_URL: redis.url, ADMIN_TOKEN, NOTIFIERS: 'webhook', WEBHOOK_URLS: receiver.url, WEBHOOK_SECRET });
  });

  afterAll(async () => {
    await svc?.close();
    await receiver?.close();
    await redis?.destroy();
  });

  const asAdmin = { authorization: `Bearer ${ADMIN_TOKEN}` };

  it.each([
    ['no token', {}],
    ['a wrong token', { authorization: 'Bearer operator-token-0123456789abcdeX' }],
    ['the token without the Bearer scheme', { authorization: ADMIN_TOKEN }],
  ])('answers 401 to %s and ends nothing', async (_name, headers: Record<string, string>) => {
    await svc.post('/v1/rooms/guarded-room/heartbeat', { liveId: 'guarded-live', anchorId: 'a', timeoutMs: 60000 });
    expect((await svc.get('/v1/admin/lives', headers)).status).toBe(401);
    expect((await svc.post('/v1/admin/rooms/guarded-room/end', {}, headers)).status).toBe(401);
    expect((await svc.get('/v1/rooms/guarded-room')).body.state).toBe('live');
  });

  it('refuses to release the mass-timeout guard while it is not engaged (409, saying so), and pre-approves nothing', async () => {
    await svc.post('/v1/rooms/guard-idle-room/heartbeat', { liveId: 'guard-idle-live', anchorId: 'a', timeoutMs: 60000 });
    const release = await svc.post('/v1/admin/guard/release', {}, asAdmin);
    expect(release.status).toBe(409);
    expect(release.body).toEqual({
      statusCode: 409,
      error: 'Conflict',
      message: expect.stringMatching(
        /^the mass-timeout guard is not engaged \(0 of \d+ lives would end within the window\): nothing to release$/,
      ),
    });
    expect((await svc.get('/v1/admin/guard', asAdmin)).body).toMatchObject({ engaged: false, releasedUntil: null });
  });

  it('lists running lives with the token', async () => {
    await svc.post('/v1/rooms/listed-room/heartbeat', { liveId: 'listed-live', anchorId: 'a', timeoutMs: 60000 });
    const lives = [];
    const first = await svc.get('/v1/admin/lives', asAdmin);
    expect(first.status).toBe(200);
    for (let shard = 0; shard < first.body.shards; shard++) {
      lives.push(...(await svc.get(`/v1/admin/lives?shard=${shard}`, asAdmin)).body.lives);
    }
    expect(lives).toEqual(
      expect.arrayContaining([expect.objectContaining({ roomId: 'listed-room', liveId: 'listed-live', state: 'live' })]),
    );
  });

  it('force-ends a room: 200, the live is ended and live.ended (admin) is delivered', async () => {
    await svc.post('/v1/rooms/forced-room/heartbeat', { liveId: 'forced-live', anchorId: 'a', timeoutMs: 60000 });
    const response = await svc.post('/v1/admin/rooms/forced-room/end', {}, asAdmin);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ state: 'ended', liveId: 'forced-live', reason: 'admin', alreadyEnded: false });
    expect((await svc.get('/v1/rooms/forced-room')).body).toMatchObject({ state: 'ended', reason: 'admin' });
    const ended = await waitFor(() => receiver.events({ roomId: 'forced-room', type: 'live.ended' })[0], 5000, 'live.ended');
    expect(ended).toMatchObject({ liveId: 'forced-live', reason: 'admin' });
    expect((await svc.post('/v1/rooms/forced-room/heartbeat', { liveId: 'forced-live', anchorId: 'a' })).status).toBe(410);
  });
});

describe('admin API without ADMIN_TOKEN', () => {
  const service = useServiceWithRedis();

  it('is disabled (403) whatever token is sent', async () => {
    expect((await service.svc.get('/v1/admin/lives')).status).toBe(403);
    const response = await service.svc.post('/v1/admin/rooms/any/end', {}, { authorization: 'Bearer anything-at-all-0123456789' });
    expect(response.status).toBe(403);
    expect(response.body.message).toMatch(/ADMIN_TOKEN/);
  });
});

describe.each([
  ['Off', false],
  ['1', true],
])('mass-timeout guard with GUARD_ENABLED=%s', (spelling, enabled) => {
  const service = useServiceWithRedis({ ADMIN_TOKEN, GUARD_ENABLED: spelling });
  const asAdmin = { authorization: `Bearer ${ADMIN_TOKEN}` };

  it(`is ${enabled ? 'on' : 'off'}, and a release is refused saying why`, async () => {
    expect((await service.svc.get('/v1/admin/guard', asAdmin)).body.enabled).toBe(enabled);
    const release = await service.svc.post('/v1/admin/guard/release', {}, asAdmin);
    expect(release.status).toBe(409);
    expect(release.body.message).toMatch(
      enabled ? /not engaged/ : /^the mass-timeout guard is disabled \(GUARD_ENABLED=false\): nothing to release$/,
    );
  });
});
