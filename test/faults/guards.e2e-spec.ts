import { freePort } from '../support/free-port';
import { AnchorFleet } from '../support/anchor-fleet';
import { RedisServer } from '../support/redis-server';
import { startTestApp, TestApp, WEBHOOK_SECRET } from '../support/test-app';
import { sleep, waitFor } from '../support/wait-for';
import { WebhookReceiver } from '../support/webhook-receiver';

const ADMIN_TOKEN = 'admin-token-for-guard-tests';

/** Guards against our own faults: an outage of the whole service, and a mass of endings at once. */
describe('fault guards', () => {
  let redis: RedisServer;
  let receiver: WebhookReceiver;
  let svc: TestApp | null = null;
  let fleet: AnchorFleet | null = null;

  beforeEach(async () => {
    redis = await RedisServer.start();
    receiver = await WebhookReceiver.start();
  });

  afterEach(async () => {
    await fleet?.stop();
    await svc?.close();
    await receiver.close();
    await redis.destroy();
    fleet = svc = null;
  });

  const start = (env: Record<string, string> = {}) =>
    startTestApp({ REDIS_URL: redis.url, NOTIFIERS: 'webhook', WEBHOOK_URLS: receiver.url, WEBHOOK_SECRET, ADMIN_TOKEN, ...env });
  const endedRooms = () => receiver.events({ type: 'live.ended' }).map((e) => e.roomId as string);
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

  it('after the whole service was down longer than the timeout, gives lives a fresh grace instead of ending them all', async () => {
    const env = { PORT: String(await freePort()), SWEEP_GAP_MS: '300' };
    svc = await start(env);
    const url = svc.url.replace('[::1]', '127.0.0.1');
    fleet = new AnchorFleet(20, () => url, 100, 'gap');
    fleet.start();
    await waitFor(() => receiver.events({ type: 'live.started' }).length === 20, 10000, 'all lives started');

    await svc.close(); // every replica down; the anchors keep trying
    svc = null;
    for (let anchor = 0; anchor < 5; anchor++) fleet.crash(anchor); // these really stop during the outage
    await sleep(2000); // more than three timeouts

    svc = await start(env);
    const restartedAt = Date.now();
    await waitFor(() => endedRooms().length >= 5, 10000, 'the stopped anchors ended');
    await sleep(1000);

    expect(endedRooms().sort()).toEqual([0, 1, 2, 3, 4].map((a) => fleet!.roomId(a)).sort());
    for (const ended of receiver.events({ type: 'live.ended' })) {
      expect(ended.reason).toBe('timeout');
      // Silence was counted from the restart, not from the anchors' last beats before the outage.
      expect(ended.at).toBeGreaterThanOrEqual(restartedAt + 500);
    }
  });

  describe('mass-timeout guard', () => {
    const guardEnv = { GUARD_MIN_COUNT: '20', GUARD_MAX_SHARE: '0.5', GUARD_WINDOW_MS: '5000' };

    const startFleetAndCrash = async (crashed: number) => {
      svc = await start(guardEnv);
      const url = svc.url.replace('[::1]', '127.0.0.1');
      fleet = new AnchorFleet(60, () => url, 100, 'mass');
      fleet.start();
      await waitFor(() => receiver.events({ type: 'live.started' }).length === 60, 10000, 'all lives started');
      for (let anchor = 0; anchor < crashed; anchor++) fleet.crash(anchor);
      await waitFor(async () => (await svc!.get('/v1/admin/guard', admin)).body.engaged === true, 10000, 'guard engaged');
    };

    it('holds the endings while too many lives would end, and lets through what remains once most come back', async () => {
      await startFleetAndCrash(40);
      await sleep(1500); // well past the timeout: without the guard all 40 would have ended
      expect(endedRooms()).toEqual([]);
      expect((await svc!.get(`/v1/rooms/${fleet!.roomId(0)}`)).body.state).toBe('interrupted');
      const status = (await svc!.get('/v1/admin/guard', admin)).body;
      expect(status).toMatchObject({ engaged: true, tracked: 60 });
      expect(status.wouldEnd).toBe(40);

      for (let anchor = 5; anchor < 40; anchor++) fleet!.recover(anchor);
      await waitFor(() => endedRooms().length >= 5, 10000, 'the 5 still silent ended');
      await sleep(1000);
      expect(endedRooms().sort()).toEqual([0, 1, 2, 3, 4].map((a) => fleet!.roomId(a)).sort());
      expect((await svc!.get('/v1/admin/guard', admin)).body.engaged).toBe(false);
      expect((await svc!.get(`/v1/rooms/${fleet!.roomId(10)}`)).body.state).toBe('live');
    });

    it('releases the held endings when an operator confirms them', async () => {
      await startFleetAndCrash(40);
      expect(endedRooms()).toEqual([]);
      expect((await svc!.post('/v1/admin/guard/release', {})).status).toBe(401);
      const release = await svc!.post('/v1/admin/guard/release', {}, admin);
      expect(release.status).toBe(200);

      await waitFor(() => endedRooms().length >= 40, 10000, 'the 40 held endings');
      await sleep(500);
      const crashed = Array.from({ length: 40 }, (_, a) => fleet!.roomId(a)).sort();
      expect(endedRooms().sort()).toEqual(crashed);
    });
  });
});
