import { webhookLaneName } from '../src/notify/notify.module';
import { eventIdOf, isEvent } from './support/event-ids';
import { sampleValue } from './support/prometheus-text';
import { startTestApp, TestApp, WEBHOOK_SECRET } from './support/test-app';
import { startTestRedis, TestRedis } from './support/test-redis';
import { sleep, waitFor } from './support/wait-for';
import { WebhookReceiver } from './support/webhook-receiver';

describe('delivery through the outbox', () => {
  let redis: TestRedis;
  let receiver: WebhookReceiver;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    redis = await startTestRedis();
    receiver = await WebhookReceiver.start();
  });

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
    receiver.requests.length = 0;
    receiver.respondTo = null;
  });

  afterAll(async () => {
    await receiver?.close();
    await redis?.destroy();
  });

  const start = async (env: Record<string, string> = {}) => {
    const svc = await startTestApp({
      ...redis.env,
      NOTIFIERS: 'webhook',
      WEBHOOK_URLS: receiver.url,
      WEBHOOK_SECRET,
      ...env,
    });
    apps.push(svc);
    return svc;
  };

  it('retries a receiver that fails twice, then delivers the same signed event', async () => {
    const svc = await start();
    receiver.respondWith(503, 500);
    await svc.post('/v1/rooms/flaky-room/heartbeat', { liveId: 'flaky-live', anchorId: 'a' });

    const attempts = await waitFor(
      () => {
        const got = receiver.requests.filter((r) => isEvent(r.json, 'flaky-live', 1));
        return got.length >= 3 && got;
      },
      5000,
      'three attempts',
    );
    // Same webhook-id each time; the receiver verified each signature with the standardwebhooks library.
    expect(attempts.map((r) => r.headers['webhook-id'])).toEqual(Array(3).fill(attempts[0].json.id));
    expect(attempts[0].json.id).toEqual(eventIdOf('flaky-live', 1));
    expect(attempts.map((r) => r.verificationError)).toEqual([null, null, null]);
    await sleep(300);
    expect(receiver.requests.filter((r) => isEvent(r.json, 'flaky-live', 1))).toHaveLength(3);
  });

  it('reports a 3xx as a redirect and retries it like any failure, then dead-letters it saying where it pointed', async () => {
    const svc = await start({ DELIVERY_RETRY_FOR_MS: '1500' });
    receiver.respondTo = (event) =>
      event?.roomId === 'moved-room' ? { status: 301, headers: { location: 'https://new.example.com/hooks?token=secret' } } : undefined;
    await svc.post('/v1/rooms/moved-room/heartbeat', { liveId: 'moved-live', anchorId: 'a', timeoutMs: 60000 });
    const letters = await waitFor(
      async () => {
        const client = redis.client();
        const dead: string[][] = [];
        for (const key of await redis.keys('led:{*}:dead')) dead.push(...(await client.xrange(key, '-', '+')).map(([, f]) => f));
        client.disconnect();
        return dead.filter((f) => f[1].includes('moved-live')).length > 0 && dead.filter((f) => f[1].includes('moved-live'));
      },
      10000,
      'the dead letter',
    );
    const reason = letters[0][letters[0].indexOf('reason') + 1];
    expect(reason).toContain('HTTP 301 redirect to https://new.example.com/hooks');
    expect(reason).not.toContain('secret');
    expect(receiver.requests.filter((r) => r.json?.roomId === 'moved-room').length).toBeGreaterThan(1);
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    expect(sampleValue(metrics, 'led_delivery_failures_total', { lane: webhookLaneName(receiver.url), kind: 'redirect' })).toBeGreaterThan(
      1,
    );
  });

  it('does not retry a 4xx answer: the event goes to the dead-letter stream', async () => {
    const svc = await start();
    receiver.respondTo = (event) => (isEvent(event, 'refused-live', 1) ? 422 : undefined);
    await svc.post('/v1/rooms/refused-room/heartbeat', { liveId: 'refused-live', anchorId: 'a' });
    const letter = await waitFor(
      async () => {
        const client = redis.client();
        const dead: string[][] = [];
        for (const key of await redis.keys('led:{*}:dead')) dead.push(...(await client.xrange(key, '-', '+')).map(([, fields]) => fields));
        client.disconnect();
        return dead.find((f) => f.includes(webhookLaneName(receiver.url)) && isEvent(JSON.parse(f[1]), 'refused-live', 1));
      },
      10000,
      'the dead letter',
    );
    expect(letter).toContain('422');
    // The dead letter is written in the same script that acknowledges the entry: no attempt can follow it.
    expect(receiver.requests.filter((r) => isEvent(r.json, 'refused-live', 1))).toHaveLength(1);
  });

  it('two replicas sweeping the same lives produce each transition once', async () => {
    const replicas = [await start({ SWEEP_INTERVAL_MS: '20' }), await start({ SWEEP_INTERVAL_MS: '20' })];
    const rooms = Array.from({ length: 200 }, (_, i) => `race-${i}`);
    await Promise.all(
      rooms.map((room, i) => replicas[i % 2].post(`/v1/rooms/${room}/heartbeat`, { liveId: `${room}-live`, anchorId: 'a' })),
    );

    // Each event once by webhook-id: a webhook that timed out on a busy machine is legitimately sent again.
    const raceEvents = (type: string) => receiver.distinctEvents({ type }).filter((e) => e.roomId.startsWith('race-'));
    await waitFor(() => raceEvents('live.ended').length >= rooms.length, 10000, 'all endings');
    await sleep(500);
    for (const type of ['live.started', 'live.interrupted', 'live.ended']) {
      // One transition of each kind per room, whichever replica swept it.
      expect(
        raceEvents(type)
          .map((e) => e.roomId)
          .sort(),
      ).toEqual([...rooms].sort());
    }
  });

  it('an event left pending by a dead replica is reclaimed by another', async () => {
    // A replica that read the event and died before acknowledging it: simulated with a consumer that never acks.
    const svc = await start({ DELIVERY_CLAIM_IDLE_MS: '500' });
    await svc.close();
    apps.pop();
    const client = redis.client();
    const shardKey = (await redis.keys('led:{*}:outbox'))[0];
    await client.xadd(
      shardKey,
      '*',
      'event',
      JSON.stringify({
        id: 'orphan-live:1',
        type: 'live.ended',
        seq: 1,
        roomId: 'orphan',
        liveId: 'orphan-live',
        anchorId: 'a',
        groupId: 'orphan',
        reason: 'timeout',
        at: Date.now(),
      }),
    );
    const read = await client.xreadgroup('GROUP', webhookLaneName(receiver.url), 'dead-replica', 'COUNT', 100, 'STREAMS', shardKey, '>');
    expect(read).not.toBeNull();
    client.disconnect();

    await start({ DELIVERY_CLAIM_IDLE_MS: '500' });
    const delivered = await waitFor(() => receiver.events({ roomId: 'orphan' })[0], 5000, 'reclaimed event');
    expect(delivered).toMatchObject({ id: 'orphan-live:1', reason: 'timeout' });
  });

  it('on shutdown, finishes a delivery already on the wire', async () => {
    const svc = await start();
    receiver.delayMs = 400;
    await svc.post('/v1/rooms/drain-room/heartbeat', { liveId: 'drain-live', anchorId: 'a' });
    await waitFor(() => receiver.requests.some((r) => isEvent(r.json, 'drain-live', 1)));
    await svc.close();
    apps.pop();
    receiver.delayMs = 0;
    const client = redis.client();
    const pending = [];
    for (const key of await redis.keys('led:{*}:outbox'))
      pending.push(...((await client.xpending(key, webhookLaneName(receiver.url), '-', '+', 100)) as unknown[]));
    client.disconnect();
    expect(pending).toEqual([]);
  });
});
