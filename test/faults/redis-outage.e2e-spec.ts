import { AnchorFleet, BeatResult } from '../support/anchor-fleet';
import { RedisServer } from '../support/redis-server';
import { startTestApp, TestApp, WEBHOOK_SECRET } from '../support/test-app';
import { sleep, waitFor } from '../support/wait-for';
import { WebhookReceiver } from '../support/webhook-receiver';

const OUTAGE_MS = 10000;

describe('Redis stopped for 10 seconds, then started again', () => {
  let redis: RedisServer;
  let receiver: WebhookReceiver;
  let svc: TestApp;
  let fleet: AnchorFleet;

  beforeAll(async () => {
    redis = await RedisServer.start();
    receiver = await WebhookReceiver.start();
    svc = await startTestApp({
      REDIS_URL: redis.url,
      NOTIFIERS: 'webhook',
      WEBHOOK_URLS: receiver.url,
      WEBHOOK_SECRET,
      HEARTBEAT_TIMEOUT_MS: '3000',
      SUSPECT_AFTER_MS: '1500',
      HEARTBEAT_INTERVAL_MS: '200',
      TIMEOUT_MIN_MS: '1000',
    });
  });

  afterAll(async () => {
    await fleet?.stop();
    await svc?.close();
    await receiver?.close();
    await redis?.destroy();
  });

  it('answers 503 with Retry-After meanwhile, reconnects by itself, and ends no live that kept beating', async () => {
    const url = svc.url.replace('[::1]', '127.0.0.1');
    fleet = new AnchorFleet(20, () => url, 200, 'outage');
    fleet.start();
    await waitFor(() => receiver.events({ type: 'live.started' }).length === 20, 10000, 'all lives started');

    await redis.stop();
    const outageStart = fleet.results.length;
    const readiness = (await svc.get('/readyz')).status;
    const liveness = (await svc.get('/healthz')).status;
    await sleep(OUTAGE_MS);
    const duringOutage: BeatResult[] = fleet.results.slice(outageStart);
    await redis.launch(); // same port and data directory: AOF brings the state back

    const recovered = fleet.results.length;
    await waitFor(() => fleet.results.slice(recovered).filter((r) => r.status === 200).length >= 40, 15000, 'beats accepted again');
    await sleep(4000); // longer than the timeout, with the anchors beating

    expect(readiness).toBe(503);
    expect(liveness).toBe(200);
    expect(duringOutage.length).toBeGreaterThan(100);
    const statuses = new Set(duringOutage.map((r) => r.status));
    expect([...statuses].filter((s) => s !== 503 && s !== 200)).toEqual([]); // 200 only for beats in flight as it stopped
    expect(duringOutage.filter((r) => r.status === 503).every((r) => r.retryAfter === '1')).toBe(true);
    expect(Math.max(...duringOutage.map((r) => r.ms))).toBeLessThan(5000); // answered, not hung

    expect(receiver.events({ type: 'live.ended' })).toEqual([]);
    for (let anchor = 0; anchor < 20; anchor++) {
      expect((await svc.get(`/v1/rooms/${fleet.roomId(anchor)}`)).body.state).toBe('live');
    }
    expect((await svc.get('/readyz')).status).toBe(200);
  });
});
