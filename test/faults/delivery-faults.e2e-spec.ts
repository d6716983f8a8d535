import { createServer, Server, Socket } from 'node:net';
import { AddressInfo } from 'node:net';
import { PAUSE_AFTER_FAILURES } from '../../src/notify/lane-gate';
import { webhookLaneName } from '../../src/notify/notify.module';
import { TcpProxy } from '../support/tcp-proxy';
import { FakeTencentIm } from '../support/fake-tencent-im';
import { sampleValue } from '../support/prometheus-text';
import { RedisServer } from '../support/redis-server';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';
import { WEBHOOK_SECRET, WebhookReceiver } from '../support/webhook-receiver';

const SDKAPPID = 1400000000;
const KEY = '5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e';
const ADMIN_TOKEN = 'operator-token-0123456789abcdef';
/** The delivery settings at their defaults (the tests' FAST_TIMINGS shorten them elsewhere). */
const DEFAULT_DELIVERY = {
  DELIVERY_POLL_MS: '200',
  DELIVERY_BACKOFF_MS: '500',
  DELIVERY_BACKOFF_MAX_MS: '10000',
  DELIVERY_CLAIM_IDLE_MS: '30000',
};
/** Lives that do not time out during a test: they end when the test ends them. */
const LONG_LIVES = {
  HEARTBEAT_TIMEOUT_MS: '120000',
  SUSPECT_AFTER_MS: '60000',
  HEARTBEAT_INTERVAL_MS: '10000',
  TIMEOUT_MIN_MS: '1000',
  TIMEOUT_MAX_MS: '300000',
};

/**
 * The four faults of issue 11, each with real processes: a webhook receiver down (503) or IM refusing (70001)
 * must delay no other destination; a backend outage of 90 s loses nothing; 24 ms to Redis still delivers every
 * ending; Redis restarted empty resumes delivery without a restart. Plus: a replica that cannot progress hands
 * its deliveries back, and consumers of stopped replicas are removed.
 */
describe('delivery under faults', () => {
  let redis: RedisServer;
  let im: FakeTencentIm;
  let receiver: WebhookReceiver;
  const apps: TestApp[] = [];

  beforeEach(async () => {
    redis = await RedisServer.start();
    im = await FakeTencentIm.start(SDKAPPID, KEY);
    receiver = await WebhookReceiver.start();
  });

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
    await receiver.close();
    await im.close();
    await redis.destroy();
  });

  const start = async (env: Record<string, string>) => {
    const app = await startTestApp({
      REDIS_URL: redis.url,
      NOTIFIERS: 'webhook,tencent-im',
      WEBHOOK_URLS: receiver.url,
      WEBHOOK_SECRET,
      TENCENT_IM_SDKAPPID: String(SDKAPPID),
      TENCENT_IM_SECRET_KEY: KEY,
      TENCENT_IM_BASE_URL: im.url,
      ADMIN_TOKEN,
      ...env,
    });
    apps.push(app);
    return app;
  };
  const endedAtIm = (prefix: string) => im.messages.filter((m) => m.groupId.startsWith(prefix) && m.data?.type === 'LIVE_ENDED');
  const accepted = (prefix: string) =>
    receiver.requests.filter((r) => r.json?.roomId?.startsWith(prefix) && r.verificationError === null && r.answeredWith === 200);

  it('backend down for 90 s: viewers are told within seconds meanwhile, and every event arrives, in order, once it is back', async () => {
    const replicas = [await start({ ...DEFAULT_DELIVERY, ...LONG_LIVES }), await start({ ...DEFAULT_DELIVERY, ...LONG_LIVES })];
    const outageEnds = Date.now() + 90000;
    receiver.respondTo = () => (Date.now() < outageEnds ? 503 : undefined);
    const rooms = Array.from({ length: 150 }, (_, i) => `down-${i}`);
    await Promise.all(
      rooms.map((room, i) => replicas[i % 2].post(`/v1/rooms/${room}/heartbeat`, { liveId: `${room}-live`, anchorId: 'a' })),
    );
    const endedAt = Date.now();
    await Promise.all(rooms.map((room, i) => replicas[i % 2].post(`/v1/rooms/${room}/end`, { liveId: `${room}-live`, anchorId: 'a' })));

    // Viewers: every LIVE_ENDED within seconds, although every webhook delivery fails.
    await waitFor(() => endedAtIm('down-').length >= rooms.length, 15000, 'every LIVE_ENDED at IM');
    const latest = Math.max(...endedAtIm('down-').map((m) => m.at)) - endedAt;
    expect(latest).toBeLessThan(10000);
    expect(accepted('down-')).toEqual([]);

    // The failing lane shows: metric, and the admin view says since when and why.
    const metrics = await (await fetch(`${replicas[0].url}/metrics`)).text();
    expect(sampleValue(metrics, 'led_lane_failing_seconds', { lane: webhookLaneName(receiver.url) })).toBeGreaterThan(0);
    const lanes = (await replicas[0].get('/v1/admin/deliveries', { authorization: `Bearer ${ADMIN_TOKEN}` })).body;
    expect(lanes.find((l: any) => l.lane === webhookLaneName(receiver.url))).toMatchObject({
      failing: { error: expect.stringContaining('503') },
    });

    // Back after 90 s: every event arrives (none dead-lettered), each live's in seq order.
    await waitFor(() => accepted('down-').length >= 2 * rooms.length, 90000 + 30000, 'every webhook after the outage');
    // Meanwhile each replica's paused lane sent one probe at a time, not every held event on its own backoff.
    const refused = receiver.requests.filter((r) => r.answeredWith === 503).length;
    expect(refused).toBeLessThan(2 * (64 + 90 / 2.5));
    const letters = (await replicas[0].get('/v1/admin/dead-letters', { authorization: `Bearer ${ADMIN_TOKEN}` })).body.items;
    expect(letters).toEqual([]);
    for (const room of rooms) {
      const attempts = receiver.requests.filter((r) => r.json?.roomId === room);
      const lastStart = Math.max(...attempts.filter((r) => r.json.seq === 1).map((r) => r.at));
      const firstEnd = Math.min(...attempts.filter((r) => r.json.seq === 2).map((r) => r.at));
      expect(firstEnd).toBeGreaterThanOrEqual(lastStart);
      expect(new Set(attempts.filter((r) => r.answeredWith === 200).map((r) => `${r.json.liveId}:${r.json.seq}`))).toEqual(
        new Set([`${room}-live:1`, `${room}-live:2`]),
      );
    }
  }, 240000);

  it("a receiver that always fails some rooms' events delays the other rooms' by one probe interval at most", async () => {
    const svc = await start({ ...DEFAULT_DELIVERY, ...LONG_LIVES, NOTIFIERS: 'webhook' });
    receiver.respondTo = (event) => (event?.roomId?.startsWith('poison-') ? 500 : undefined);
    for (let i = 0; i < 10; i++) await svc.post(`/v1/rooms/poison-${i}/heartbeat`, { liveId: `poison-${i}-live`, anchorId: 'a' });
    // Their 10 first attempts paused the lane; then it probes with them, one every 5-10 s.
    await waitFor(() => receiver.requests.filter((r) => r.answeredWith === 500).length >= 11, 30000, 'a poison event as a probe');

    const sentAt = new Map<string, number>();
    for (let i = 0; i < 5; i++) {
      sentAt.set(`fine-${i}`, Date.now());
      await svc.post(`/v1/rooms/fine-${i}/heartbeat`, { liveId: `fine-${i}-live`, anchorId: 'a' });
    }
    await waitFor(() => accepted('fine-').length >= 5, 60000, "the other rooms' live.started");
    const latencies = accepted('fine-').map((r) => r.at - sentAt.get(r.json.roomId)!);
    // DELIVERY_BACKOFF_MAX_MS (10 s) bounds the wait for the next probe, which a fresh event goes as.
    expect(Math.max(...latencies)).toBeLessThan(10000 + 2000);
  }, 90000);

  it('IM refusing every call (70001) delays no webhook', async () => {
    // Fewer delivery slots than endings waiting for IM: in one shared pool they would hold every slot.
    await start({ ...DEFAULT_DELIVERY, ...LONG_LIVES, DELIVERY_CONCURRENCY: '16' });
    im.expiredUpTo = Number.MAX_SAFE_INTEGER; // every UserSig looks expired, even a new one
    // 20 endings keep the IM lane busy retrying.
    const [svc] = apps;
    for (let i = 0; i < 20; i++) {
      await svc.post(`/v1/rooms/busy-${i}/heartbeat`, { liveId: `busy-${i}-live`, anchorId: 'a' });
      await svc.post(`/v1/rooms/busy-${i}/end`, { liveId: `busy-${i}-live`, anchorId: 'a' });
    }
    // Each attempt is refused twice (the renewed UserSig too), until the IM lane pauses.
    await waitFor(() => im.requests.filter((r) => r.errorCode === 70001).length >= 2 * PAUSE_AFTER_FAILURES, 15000, 'IM refusing');
    const startedAt = Date.now();
    for (let i = 0; i < 20; i++) await svc.post(`/v1/rooms/new-${i}/heartbeat`, { liveId: `new-${i}-live`, anchorId: 'a' });
    await waitFor(() => accepted('new-').length >= 20, 10000, "the new lives' live.started webhooks");
    expect(Math.max(...accepted('new-').map((r) => r.at)) - startedAt).toBeLessThan(5000);
    expect(endedAtIm('busy-')).toEqual([]);
  }, 60000);

  it('IM refusing UserSigs for a few seconds holds the endings for seconds, not a minute', async () => {
    const svc = await start({ ...DEFAULT_DELIVERY, ...LONG_LIVES, NOTIFIERS: 'tencent-im' });
    im.expiredUpTo = Number.MAX_SAFE_INTEGER; // even a freshly made UserSig is refused (70001)
    const rooms = Array.from({ length: 20 }, (_, i) => `sig-${i}`);
    for (const room of rooms) {
      await svc.post(`/v1/rooms/${room}/heartbeat`, { liveId: `${room}-live`, anchorId: 'a' });
      await svc.post(`/v1/rooms/${room}/end`, { liveId: `${room}-live`, anchorId: 'a' });
    }
    // As above, until the IM lane pauses.
    await waitFor(
      () => im.requests.filter((r) => r.errorCode === 70001).length >= 2 * PAUSE_AFTER_FAILURES,
      15000,
      'IM refusing the renewed UserSigs too',
    );
    im.expiredUpTo = 0;
    const recoveredAt = Date.now();
    await waitFor(() => endedAtIm('sig-').length >= rooms.length, 45000, 'every LIVE_ENDED at IM after it recovers');
    // The first retry comes 5 s after the refusal, later ones with the lane's backoff (at most 10 s here).
    expect(Date.now() - recoveredAt).toBeLessThan(30000);
  }, 90000);

  it('24 ms to Redis: every LIVE_ENDED reaches IM, never above the rate in any second', async () => {
    const proxy = await TcpProxy.start(redis.port, 12);
    try {
      const rate = 40;
      const svc = await start({ REDIS_URL: proxy.url, NOTIFIERS: 'tencent-im', TENCENT_IM_RATE_PER_SEC: String(rate), ...LONG_LIVES });
      const rooms = Array.from({ length: 120 }, (_, i) => `far-${i}`);
      await Promise.all(rooms.map((room) => svc.post(`/v1/rooms/${room}/heartbeat`, { liveId: `${room}-live`, anchorId: 'a' })));
      await Promise.all(rooms.map((room) => svc.post(`/v1/rooms/${room}/end`, { liveId: `${room}-live`, anchorId: 'a' })));
      await waitFor(() => endedAtIm('far-').length >= rooms.length, 30000, 'every LIVE_ENDED at IM');
      const times = im.requests.map((r) => r.at).sort((a, b) => a - b);
      expect(busiestSecond(times)).toBeLessThanOrEqual(rate);
    } finally {
      await proxy.close();
    }
  }, 60000);

  it('a replica that cannot reach IM hands its deliveries back; another delivers them', async () => {
    const blackHole = await BlackHole.start();
    try {
      const fast = { DELIVERY_CLAIM_IDLE_MS: '2000', DELIVERY_BACKOFF_MAX_MS: '1000', NOTIFIERS: 'tencent-im', ...LONG_LIVES };
      // Its IM calls never get an answer (and its time-out is long): it holds what it reads and makes no progress.
      const stuck = await start({ ...fast, TENCENT_IM_BASE_URL: blackHole.url, TENCENT_IM_TIMEOUT_MS: '60000' });
      const rooms = Array.from({ length: 30 }, (_, i) => `stuck-${i}`);
      for (const room of rooms) await stuck.post(`/v1/rooms/${room}/heartbeat`, { liveId: `${room}-live`, anchorId: 'a' });
      for (const room of rooms) await stuck.post(`/v1/rooms/${room}/end`, { liveId: `${room}-live`, anchorId: 'a' });
      await waitFor(() => blackHole.connections > 0, 10000, 'the stuck replica holding deliveries');
      await start(fast);
      await waitFor(
        () => new Set(endedAtIm('stuck-').map((m) => m.groupId)).size >= rooms.length,
        20000,
        'every LIVE_ENDED through the other replica',
      );
      const metrics = await (await fetch(`${stuck.url}/metrics`)).text();
      expect(sampleValue(metrics, 'led_lane_handed_back_total', { lane: 'tencent-im' })).toBeGreaterThan(0);
    } finally {
      await blackHole.close();
    }
  }, 60000);

  it.each([
    ['restarted empty', (r: RedisServer) => r.restartEmpty()],
    [
      'flushed (FLUSHALL)',
      async (r: RedisServer) => {
        const client = r.client();
        await client.flushall();
        client.disconnect();
      },
    ],
  ])(
    'Redis %s: a new live is delivered without a restart',
    async (_name, loseData) => {
      const svc = await start({ NOTIFIERS: 'webhook' });
      await svc.post('/v1/rooms/before/heartbeat', { liveId: 'before-live', anchorId: 'a', timeoutMs: 60000 });
      await waitFor(() => accepted('before').length === 1, 10000, 'the first live delivered');
      await loseData(redis);
      await waitFor(
        async () => (await svc.post('/v1/rooms/after/heartbeat', { liveId: 'after-live', anchorId: 'a', timeoutMs: 60000 })).status === 200,
        10000,
        'heartbeats accepted again',
      );
      await waitFor(() => accepted('after').length === 1, 10000, "the new live's event delivered");
      const metrics = await (await fetch(`${svc.url}/metrics`)).text();
      expect(sampleValue(metrics, 'led_outbox_groups_recreated_total')).toBeGreaterThan(0);
    },
    40000,
  );

  it('removes the consumers of replicas that stopped, gracefully or not', async () => {
    const fast = { NOTIFIERS: 'webhook', DELIVERY_CLAIM_IDLE_MS: '500', DELIVERY_BACKOFF_MAX_MS: '200' };
    const leaving = await start(fast);
    await leaving.post('/v1/rooms/c-room/heartbeat', { liveId: 'c-live', anchorId: 'a', timeoutMs: 60000 });
    await waitFor(() => accepted('c-room').length === 1, 10000, 'a delivery');
    const lane = webhookLaneName(receiver.url);
    const client = redis.client();
    try {
      // A replica that died holding an entry: its consumer is left behind.
      const key = (await client.keys('led:{*}:outbox'))[0];
      await client.xadd(
        key,
        '*',
        'event',
        JSON.stringify({
          id: 'gone-live:1:0',
          type: 'live.started',
          seq: 1,
          roomId: 'gone-room',
          liveId: 'gone-live',
          anchorId: 'a',
          groupId: 'g',
          at: Date.now(),
        }),
      );
      await client.xreadgroup('GROUP', lane, 'dead-replica', 'COUNT', 100, 'STREAMS', key, '>');
      await apps.splice(apps.indexOf(leaving), 1)[0].close();
      const consumers = async () => {
        const names = new Set<string>();
        for (const k of await client.keys('led:{*}:outbox')) {
          for (const c of (await client.xinfo('CONSUMERS', k, lane)) as string[][]) names.add(String(c[1]));
        }
        return names;
      };
      expect([...(await consumers())].filter((n) => n !== 'dead-replica')).toEqual([]);
      await start(fast);
      await waitFor(() => accepted('gone-room').length === 1, 10000, "the dead replica's entry reclaimed");
      await waitFor(async () => !(await consumers()).has('dead-replica'), 10000, 'the dead consumer removed');
    } finally {
      client.disconnect();
    }
  }, 40000);
});

/** Accepts connections and never answers: an IM endpoint this replica cannot get through to. */
class BlackHole {
  connections = 0;
  private readonly sockets = new Set<Socket>();
  private server: Server;

  static async start(): Promise<BlackHole> {
    const hole = new BlackHole();
    hole.server = createServer((socket) => {
      hole.connections++;
      hole.sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => hole.server.listen(0, '127.0.0.1', resolve));
    return hole;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The most timestamps in any one-second window. */
function busiestSecond(times: number[]): number {
  let busiest = 0;
  for (let lo = 0, hi = 0; hi < times.length; hi++) {
    while (times[hi] - times[lo] >= 1000) lo++;
    busiest = Math.max(busiest, hi - lo + 1);
  }
  return busiest;
}
