import { createApp } from '../src/app.factory';
import { eventIdOf } from './support/event-ids';
import { loadEnvironment } from '../src/config/load-environment';
import { RedisServer } from './support/redis-server';
import { TEST_DEFAULTS } from './support/test-app';
import { waitFor } from './support/wait-for';
import { WebhookReceiver } from './support/webhook-receiver';

const ADMIN_TOKEN = 'admin-token-that-must-stay-secret-42';
const WEBHOOK_SECRET = `whsec_${Buffer.from('webhook-secret-that-must-stay-42').toString('base64')}`;
const ANCHOR_JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.anchor-jwt-signature-secret';
const USERSIG = 'usersig-value-that-must-stay-secret';

describe('structured logs', () => {
  let redis: RedisServer;
  let receiver: WebhookReceiver;
  let app: Awaited<ReturnType<typeof createApp>>;
  let url: string;
  const lines: string[] = [];
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, any>);

  beforeAll(async () => {
    redis = await RedisServer.start();
    receiver = await WebhookReceiver.start({ secret: WEBHOOK_SECRET });
    const env = loadEnvironment({
      ...TEST_DEFAULTS,
      LOG_LEVEL: 'trace',
      REDIS_URL: redis.url,
      NOTIFIERS: 'webhook,log',
      WEBHOOK_URLS: receiver.url,
      WEBHOOK_SECRET,
      ADMIN_TOKEN,
    });
    // The real logger, writing to a stream the test reads instead of stdout.
    app = await createApp(env, { logDestination: { write: (line: string) => void lines.push(line) } });
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    await receiver?.close();
    await redis?.destroy();
  });

  const call = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
    fetch(url + path, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('uses the caller X-Request-Id for Fastify, pino and the response, or generates one', async () => {
    const given = await call(
      'POST',
      '/v1/rooms/log-room/heartbeat',
      { 'x-request-id': 'req-abc-123' },
      { liveId: 'bad:id', anchorId: 'a' },
    );
    expect(given.status).toBe(400);
    expect(given.headers.get('x-request-id')).toBe('req-abc-123');

    const generated = await call('POST', '/v1/rooms/log-room/heartbeat', {}, { liveId: 'bad:id', anchorId: 'b' });
    const id = generated.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    const forged = await call(
      'POST',
      '/v1/rooms/log-room/heartbeat',
      { 'x-request-id': '{"forged": "log line"} '.repeat(8) },
      { liveId: 'bad:id', anchorId: 'c' },
    );
    expect(forged.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    await waitFor(() => records().filter((r) => r.req?.url === '/v1/rooms/log-room/heartbeat').length >= 3, 5000, 'request log lines');
    const requestIds = records()
      .filter((r) => r.req?.url === '/v1/rooms/log-room/heartbeat')
      .map((r) => r.req.id);
    expect(requestIds).toEqual(expect.arrayContaining(['req-abc-123', id]));

    // A route Nest serves is logged by the request logger, under the caller's id too.
    const admin = await call('GET', '/v1/admin/lives', { 'x-request-id': 'req-admin-401', authorization: 'Bearer wrong' });
    expect(admin.status).toBe(401);
    expect(admin.headers.get('x-request-id')).toBe('req-admin-401');
    await waitFor(() => records().some((r) => r.req?.id === 'req-admin-401'), 5000, 'the admin request log line');
    expect(records().find((r) => r.req?.id === 'req-admin-401')).toMatchObject({
      msg: 'request completed',
      req: { method: 'GET', url: '/v1/admin/lives' },
      res: { statusCode: 401 },
    });
  });

  it('writes one info line per transition, with roomId, liveId, type and reason', async () => {
    const beat = await call('POST', '/v1/rooms/log-crash/heartbeat', {}, { liveId: 'log-crash-live', anchorId: 'a' });
    expect(beat.status).toBe(200);
    await waitFor(() => receiver.events({ roomId: 'log-crash', type: 'live.ended' })[0], 5000, 'live.ended delivered');
    const transitionLines = () => records().filter((r) => r.liveId === 'log-crash-live' && r.type);
    await waitFor(() => transitionLines().length >= 3, 5000, 'three transition lines');

    const transitions = transitionLines();
    expect(transitions.map((r) => [r.msg, r.level])).toEqual([
      ['live.started', 30],
      ['live.interrupted', 30],
      ['live.ended', 30],
    ]);
    expect(transitions[2]).toMatchObject({
      roomId: 'log-crash',
      liveId: 'log-crash-live',
      type: 'live.ended',
      reason: 'timeout',
      eventId: eventIdOf('log-crash-live', 3),
    });
    expect(transitions[2].deadline).toBeLessThanOrEqual(transitions[2].at);
  });

  it('never writes a secret: admin token, webhook secret, Authorization headers, usersig', async () => {
    // Requests that get logged (4xx) while carrying credentials in headers and query.
    expect((await call('GET', '/v1/admin/lives', { authorization: `Bearer ${ADMIN_TOKEN}x` })).status).toBe(401);
    expect((await call('GET', '/v1/admin/lives', { authorization: `Bearer ${ADMIN_TOKEN}` })).status).toBe(200);
    await call(
      'POST',
      '/v1/rooms/log-secret/heartbeat',
      { authorization: `Bearer ${ANCHOR_JWT}`, cookie: `session=${ANCHOR_JWT}` },
      { liveId: 'x', anchorId: 'a', extra: 1 },
    );
    // A refused callback is logged with its URL: the credentials in the query must be redacted.
    expect((await call('POST', `/v1/callbacks/tencent-im?SdkAppid=1&usersig=${USERSIG}&token=${ANCHOR_JWT}`, {}, [])).status).toBe(400);
    // Deliveries that fail (retry warnings, a dead letter) log too.
    receiver.respondWith(503, 422);
    await call(
      'POST',
      '/v1/rooms/log-secret/heartbeat',
      { authorization: `Bearer ${ANCHOR_JWT}` },
      { liveId: 'log-secret-live', anchorId: 'a' },
    );
    await waitFor(() => lines.some((l) => l.includes('dead letter') && l.includes('log-secret-live')), 5000, 'a dead-letter log line');
    await waitFor(() => lines.some((l) => l.includes('/v1/callbacks/tencent-im')), 5000, 'the 404 line');

    const output = lines.join('');
    expect(output).toContain('[Redacted]');
    for (const secret of [ADMIN_TOKEN, WEBHOOK_SECRET, ANCHOR_JWT, USERSIG, 'anchor-jwt-signature-secret']) {
      expect(output).not.toContain(secret);
    }
  });
});
