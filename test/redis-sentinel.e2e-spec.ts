import { RedisSentinelSet } from './support/redis-sentinel';
import { ask } from './support/redis-process';
import { startTestApp, TestApp, WEBHOOK_SECRET } from './support/test-app';
import { sleep, waitFor } from './support/wait-for';
import { WebhookReceiver } from './support/webhook-receiver';

describe('REDIS_MODE=sentinel against a real primary, replica and three sentinels', () => {
  let set: RedisSentinelSet;
  let receiver: WebhookReceiver;
  let svc: TestApp;

  beforeAll(async () => {
    set = await RedisSentinelSet.start();
    receiver = await WebhookReceiver.start();
    // The 503s of the outage would otherwise fill the output; they are asserted instead.
    svc = await startTestApp({ ...set.env, NOTIFIERS: 'webhook', WEBHOOK_URLS: receiver.url, WEBHOOK_SECRET, LOG_LEVEL: 'fatal' });
  });

  afterAll(async () => {
    await svc?.close();
    await receiver?.close();
    await set?.destroy();
  });

  const beat = (roomId: string) => svc.post(`/v1/rooms/${roomId}/heartbeat`, { liveId: `${roomId}-live`, anchorId: 'a' });

  /** Beats until the service answers 200 again; only 503 (Retry-After) may come back meanwhile. */
  async function beatThroughOutage(roomId: string): Promise<void> {
    const unexpected: string[] = [];
    await waitFor(
      async () => {
        const response = await beat(roomId);
        if (response.status === 503) expect(response.headers.get('retry-after')).toBe('1');
        else if (response.status !== 200) unexpected.push(`${response.status} ${JSON.stringify(response.body)}`);
        if (response.status !== 200) await sleep(100);
        return response.status === 200;
      },
      45000,
      'heartbeats accepted after the failover',
    );
    expect(unexpected).toEqual([]);
  }

  async function expectCrashDetected(roomId: string): Promise<void> {
    const ended = await waitFor(() => receiver.events({ roomId, type: 'live.ended' })[0], 20000, `live.ended of ${roomId}`);
    expect(ended).toMatchObject({ liveId: `${roomId}-live`, reason: 'timeout' });
  }

  it('detects a crash and delivers its ending through the sentinel-announced primary', async () => {
    expect((await beat('before-failover')).status).toBe(200);
    await expectCrashDetected('before-failover');
    // The write really went to the primary the sentinels name.
    const primary = await set.primaryPort();
    expect(String(await ask(primary, 'INFO', 'replication'))).toContain('role:master');
  });

  it('keeps working after an orderly failover (SENTINEL FAILOVER)', async () => {
    const old = await set.primaryPort();
    await ask(set.sentinels[0].port, 'SENTINEL', 'FAILOVER', 'led-primary');
    const promoted = await set.waitForNewPrimary(old);
    expect(promoted).not.toBe(old);

    await beatThroughOutage('after-orderly-failover');
    await expectCrashDetected('after-orderly-failover');
  });

  it('keeps working after the primary crashes (SIGKILL), once the sentinels promote the replica', async () => {
    const old = await set.primaryPort();
    // The surviving server must be a synced replica, or there is nothing to promote. After the orderly
    // failover above, the sentinels take a while (~15 s) to turn the old primary into a replica.
    const survivor = set.servers.find((s) => s.port !== old)!;
    // The sentinels reconfigure it meanwhile, and a server that changes role closes its client connections.
    const inSync = () =>
      ask(survivor.port, 'INFO', 'replication').then(
        (info) => String(info).includes('master_link_status:up'),
        () => false,
      );
    await waitFor(inSync, 60000, 'replica in sync');

    await set.serverOn(old).stop('SIGKILL');
    await beatThroughOutage('after-crash');
    expect(await set.waitForNewPrimary(old)).toBe(survivor.port);
    await expectCrashDetected('after-crash');
  }, 120000);
});
