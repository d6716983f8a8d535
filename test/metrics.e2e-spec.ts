import { spawnSync } from 'node:child_process';
import { isEvent } from './support/event-ids';
import { sampleValue } from './support/prometheus-text';
import { RedisServer } from './support/redis-server';
import { startTestApp, TestApp, WEBHOOK_SECRET } from './support/test-app';
import { sleep, waitFor } from './support/wait-for';
import { WebhookReceiver } from './support/webhook-receiver';
import { webhookLaneName } from '../src/notify/notify.module';

describe('GET /metrics', () => {
  let redis: RedisServer;
  let receiver: WebhookReceiver;
  /** The receiver's lane: metrics name it in their `notifier` label. */
  let lane: string;
  let svc: TestApp;

  beforeAll(async () => {
    redis = await RedisServer.start();
    receiver = await WebhookReceiver.start();
    lane = webhookLaneName(receiver.url);
    svc = await startTestApp({ REDIS_URL: redis.url, NOTIFIERS: 'webhook', WEBHOOK_URLS: receiver.url, WEBHOOK_SECRET, SHARDS: '4' });
  });

  afterAll(async () => {
    await svc?.close();
    await receiver?.close();
    await redis?.destroy();
  });

  const scrape = async () => {
    const response = await svc.get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    return response.body as string;
  };
  const beat = (roomId: string, body: Record<string, unknown>) => svc.post(`/v1/rooms/${roomId}/heartbeat`, body);

  it('follows a crashed anchor: heartbeats, lives by state, transitions, deliveries and detection lag', async () => {
    const before = await scrape();
    expect(sampleValue(before, 'led_guard_engaged')).toBe(0);
    expect(before).toMatch(/^process_cpu_user_seconds_total /m);

    const first = await beat('m-crash', { liveId: 'm-crash-live', anchorId: 'a' });
    expect(first.status).toBe(200);
    let text = await scrape();
    expect(sampleValue(text, 'led_heartbeats_total', { result: 'ok' })).toBe(1);
    expect(sampleValue(text, 'led_lives', { state: 'live' })).toBe(1);
    expect(sampleValue(text, 'led_transitions_total', { type: 'started' })).toBe(1);

    // Silence: interrupted after 300 ms, ended after 600 ms (FAST_TIMINGS).
    await waitFor(async () => sampleValue(await scrape(), 'led_lives', { state: 'interrupted' }) === 1, 5000, 'an interrupted live');
    await waitFor(() => receiver.events({ roomId: 'm-crash', type: 'live.ended' })[0], 5000, 'live.ended delivered');
    text = await waitFor(
      async () => {
        const t = await scrape();
        return sampleValue(t, 'led_deliveries_total', { notifier: lane, outcome: 'ok' }) >= 3 && t;
      },
      5000,
      'three deliveries counted',
    );

    expect(sampleValue(text, 'led_lives', { state: 'live' })).toBe(0);
    expect(sampleValue(text, 'led_lives', { state: 'interrupted' })).toBe(0);
    expect(sampleValue(text, 'led_transitions_total', { type: 'interrupted', reason: '' })).toBe(1);
    expect(sampleValue(text, 'led_transitions_total', { type: 'ended', reason: 'timeout' })).toBe(1);
    expect(sampleValue(text, 'led_detection_lag_seconds_count', { notifier: lane })).toBe(1);
    expect(sampleValue(text, 'led_detection_lag_seconds_sum', { notifier: lane })).toBeGreaterThan(0);
    expect(sampleValue(text, 'led_delivery_latency_seconds_count', { notifier: lane })).toBe(3);
    expect(sampleValue(text, 'led_sweep_duration_seconds_count')).toBeGreaterThan(0);
    expect(sampleValue(text, 'led_outbox_depth')).toBe(0);
    expect(sampleValue(text, 'led_outbox_oldest_age_seconds')).toBe(0);
  });

  it('keeps the interrupted count right through resume, supersede and a normal end', async () => {
    const interrupted = async () => sampleValue(await scrape(), 'led_lives', { state: 'interrupted' });
    // timeoutMs 4000 puts the suspect point at 2 s and the end at 4 s: a wide window to act while interrupted.
    const quickInterrupt = async (room: string, liveId: string) => {
      await beat(room, { liveId, anchorId: 'a', timeoutMs: 4000 });
      await waitFor(async () => (await svc.get(`/v1/rooms/${room}`)).body.state === 'interrupted', 10000, `${room} interrupted`);
    };

    await quickInterrupt('m-resume', 'm-resume-live');
    expect(await interrupted()).toBe(1);
    await beat('m-resume', { liveId: 'm-resume-live', anchorId: 'a', timeoutMs: 4000 });
    expect(await interrupted()).toBe(0);
    // Ended before its next silence interrupts it again.
    await svc.post('/v1/rooms/m-resume/end', { liveId: 'm-resume-live', anchorId: 'a' });

    await quickInterrupt('m-supersede', 'm-supersede-1');
    await beat('m-supersede', { liveId: 'm-supersede-2', anchorId: 'a', timeoutMs: 4000 });
    expect(await interrupted()).toBe(0);
    await svc.post('/v1/rooms/m-supersede/end', { liveId: 'm-supersede-2', anchorId: 'a' });

    await quickInterrupt('m-end', 'm-end-live');
    await svc.post('/v1/rooms/m-end/end', { liveId: 'm-end-live', anchorId: 'a' });
    expect(await interrupted()).toBe(0);

    const text = await scrape();
    expect(sampleValue(text, 'led_transitions_total', { type: 'resumed', reason: '' })).toBe(1);
    expect(sampleValue(text, 'led_transitions_total', { type: 'ended', reason: 'superseded' })).toBe(1);
  });

  it('counts refused heartbeats by result', async () => {
    const normalEndsBefore = sampleValue(await scrape(), 'led_transitions_total', { type: 'ended', reason: 'normal' });
    await beat('m-refused', { liveId: 'm-refused-live', anchorId: 'a' });
    await beat('m-refused', { liveId: 'm-refused-live', anchorId: 'someone-else' });
    await svc.post('/v1/rooms/m-refused/end', { liveId: 'm-refused-live', anchorId: 'a' });
    await beat('m-refused', { liveId: 'm-refused-live', anchorId: 'a' });
    await beat('m-refused', { liveId: 'bad:id', anchorId: 'a' });
    await svc.post('/v1/rooms/m-refused/heartbeat', '{"liveId":'); // not JSON: refused before the controller

    const text = await scrape();
    expect(sampleValue(text, 'led_heartbeats_total', { result: 'conflict' })).toBe(1);
    expect(sampleValue(text, 'led_heartbeats_total', { result: 'gone' })).toBe(1);
    expect(sampleValue(text, 'led_heartbeats_total', { result: 'bad_request' })).toBe(2);
    expect(sampleValue(text, 'led_transitions_total', { type: 'ended', reason: 'normal' })).toBe(normalEndsBefore + 1);
  });

  it('counts dead letters', async () => {
    receiver.respondWith(422);
    await beat('m-dead', { liveId: 'm-dead-live', anchorId: 'a' });
    const text = await waitFor(
      async () => {
        const t = await scrape();
        return sampleValue(t, 'led_dead_letters_total', { notifier: lane }) === 1 && t;
      },
      5000,
      'a dead letter counted',
    );
    expect(sampleValue(text, 'led_deliveries_total', { notifier: lane, outcome: 'dead' })).toBe(1);
    expect(sampleValue(text, 'led_dead_letter_stream_length')).toBe(1);
  });

  it('passes `promtool check metrics` (naming and format conventions) on a live scrape', async () => {
    const text = await scrape();
    expect(text).toMatch(/^led_dead_letters_total\{/m); // counters, histograms and gauges all have series by now
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    if (check.error) throw new Error(`promtool is needed (Debian package prometheus; .ci/run installs it): ${check.error.message}`);
    expect({ status: check.status, problems: `${check.stdout}${check.stderr}`.trim() }).toEqual({ status: 0, problems: '' });
  });

  it('shows an event that is being delivered in the outbox gauges until it is acknowledged', async () => {
    // The lives of earlier tests end on their own: their events must be out first, or they are counted too.
    await waitFor(
      async () =>
        sampleValue(await scrape(), 'led_outbox_depth') === 0 && receiver.events({ roomId: 'm-dead', type: 'live.ended' }).length > 0,
      10000,
      'earlier events delivered',
    );
    receiver.delayMs = 1500;
    try {
      // timeoutMs 4000: no interruption (at 2 s) adds events while the first one is on the wire.
      await beat('m-slow', { liveId: 'm-slow-live', anchorId: 'a', timeoutMs: 4000 });
      await waitFor(() => receiver.requests.some((r) => isEvent(r.json, 'm-slow-live', 1)), 5000, 'the slow delivery to start');
      await sleep(200);
      const during = await scrape();
      expect([sampleValue(during, 'led_lane_pending', { lane }), sampleValue(during, 'led_lane_unread', { lane })]).toEqual([1, 0]);
      expect(sampleValue(during, 'led_outbox_depth')).toBe(1);
      expect(sampleValue(during, 'led_outbox_in_delivery')).toBe(1);
      expect(sampleValue(during, 'led_outbox_oldest_age_seconds')).toBeGreaterThan(0.1);
      expect(sampleValue(during, 'led_lane_pending', { lane })).toBe(1);
      expect(sampleValue(during, 'led_lane_oldest_age_seconds', { lane })).toBeGreaterThan(0.1);
    } finally {
      receiver.delayMs = 0;
    }
    await waitFor(async () => sampleValue(await scrape(), 'led_outbox_depth') === 0, 10000, 'the outbox to drain');
    expect(sampleValue(await scrape(), 'led_outbox_oldest_age_seconds')).toBe(0);
    await svc.post('/v1/rooms/m-slow/end', { liveId: 'm-slow-live', anchorId: 'a' });
  });

  it('while Redis is down: heartbeats are counted unavailable, Redis errors move, /metrics still answers', async () => {
    await redis.stop();
    try {
      const refused = await beat('m-outage', { liveId: 'm-outage-live', anchorId: 'a' });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      await scrape(); // its gauges cannot read Redis; the failure shows from the next scrape on
      const text = await scrape();
      expect(sampleValue(text, 'led_heartbeats_total', { result: 'unavailable' })).toBe(1);
      expect(sampleValue(text, 'led_redis_errors_total', { source: 'request' })).toBe(1);
      expect(sampleValue(text, 'led_redis_errors_total', { source: 'scrape' })).toBeGreaterThan(0);
    } finally {
      await redis.launch();
    }
  });
});
