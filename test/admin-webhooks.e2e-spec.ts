import { freePort } from './support/free-port';
import { eventIdOf } from './support/event-ids';
import { RedisServer } from './support/redis-server';
import { startTestApp, TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';
import { WebhookReceiver } from './support/webhook-receiver';

const ADMIN_TOKEN = 'admin-token-for-webhook-tests';
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
const secret = (text: string) => `whsec_${Buffer.from(text.padEnd(32, '.')).toString('base64')}`;
const NEW_SECRET = secret('the-new-secret');
const OLD_SECRET = secret('the-old-secret');

describe('POST /v1/admin/webhooks/test and secret rotation', () => {
  let redis: RedisServer;
  let upToDate: WebhookReceiver;
  let lagging: WebhookReceiver;
  let svc: TestApp;
  let unreachable: string;

  beforeAll(async () => {
    redis = await RedisServer.start();
    // During a rotation one receiver already has the new secret, the other still the old one.
    upToDate = await WebhookReceiver.start({ secret: NEW_SECRET });
    lagging = await WebhookReceiver.start({ secret: OLD_SECRET });
    unreachable = `http://127.0.0.1:${await freePort()}/hooks?token=not-shown`;
    svc = await startTestApp({
      REDIS_URL: redis.url,
      ADMIN_TOKEN,
      NOTIFIERS: 'webhook',
      WEBHOOK_URLS: [upToDate.url, lagging.url, unreachable].join(','),
      WEBHOOK_SECRET: `${NEW_SECRET}, ${OLD_SECRET}`,
    });
  });

  afterAll(async () => {
    await svc?.close();
    await upToDate?.close(); // fails the suite if any webhook did not verify with the reference library
    await lagging?.close();
    await redis?.destroy();
  });

  it('sends one signed test event to each URL and reports status, time and body excerpt of each', async () => {
    upToDate.answerBody = JSON.stringify({ received: true, note: 'x'.repeat(1000) });
    lagging.respondWith(503);
    const answer = await svc.post('/v1/admin/webhooks/test', undefined, auth);
    expect(answer.status).toBe(200);
    const [first, second, third] = answer.body.results;
    expect(first).toMatchObject({
      url: upToDate.url,
      ok: true,
      status: 200,
      error: null,
      destination: expect.stringMatching(/^webhook-[0-9a-f]{8}$/),
    });
    expect(first.body).toHaveLength(500);
    expect(first.body.startsWith('{"received":true')).toBe(true);
    expect(second).toMatchObject({ url: lagging.url, ok: false, status: 503, body: '{}', error: null });
    expect(third).toMatchObject({
      url: unreachable.replace('?token=not-shown', ''),
      ok: false,
      status: null,
      body: '',
      error: 'ECONNREFUSED',
    });
    for (const result of [first, second, third]) expect(result.tookMs).toBeGreaterThanOrEqual(0);

    for (const receiver of [upToDate, lagging]) {
      const [request] = receiver.requests;
      expect(request.verificationError).toBeNull(); // verified by standardwebhooks with this receiver's secret
      expect(request.json).toEqual({ id: request.headers['webhook-id'], type: 'webhook.test', at: expect.any(Number) });
      expect(String(request.headers['webhook-signature']).split(' ')).toHaveLength(2); // one per secret
    }
  });

  it('signs live events with every secret too: receivers on either side of a rotation verify them', async () => {
    await svc.post('/v1/rooms/rotation-room/heartbeat', { liveId: 'rotation-live', anchorId: 'a' });
    await svc.post('/v1/rooms/rotation-room/end', { liveId: 'rotation-live', anchorId: 'a' });
    for (const receiver of [upToDate, lagging]) {
      await waitFor(() => receiver.events({ roomId: 'rotation-room' }).length >= 2, 5000, 'both events at each receiver');
      const events = receiver.requests.filter((r) => r.json?.roomId === 'rotation-room');
      expect(events.map((r) => [r.json.type, r.headers['webhook-id'], r.verificationError])).toEqual([
        ['live.started', eventIdOf('rotation-live', 1), null],
        ['live.ended', eventIdOf('rotation-live', 2), null],
      ]);
    }
  });

  it('is admin-only, and answers 409 when no webhook is configured', async () => {
    expect((await svc.post('/v1/admin/webhooks/test', undefined)).status).toBe(401);
    const plain = await startTestApp({ REDIS_URL: redis.url, ADMIN_TOKEN, NOTIFIERS: 'log' });
    try {
      const answer = await plain.post('/v1/admin/webhooks/test', undefined, auth);
      expect(answer.status).toBe(409);
      expect(answer.body.message).toContain('NOTIFIERS');
    } finally {
      await plain.close();
    }
  });
});
