import Redis from 'ioredis';
import { FakeTencentIm } from '../support/fake-tencent-im';
import { parseEventId } from '../support/event-ids';
import { RedisServer } from '../support/redis-server';
import { TcpProxy } from '../support/tcp-proxy';
import { startTestApp, TestApp, WEBHOOK_SECRET } from '../support/test-app';
import { waitFor } from '../support/wait-for';
import { WebhookReceiver } from '../support/webhook-receiver';

const SDKAPPID = 1400000001;
const KEY = '5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e';

/**
 * An event id is never used for two different events (issue 12 point 1): not after a failover to a replica
 * that missed the last writes (the live's seq comes back), not when a liveId is used again after its retention.
 * Viewers (IM, which drops a repeated Random) must still hear of the real ending, and a webhook receiver must
 * never get two different events under one webhook-id.
 */
describe('event ids across lost writes and reused liveIds', () => {
  let im: FakeTencentIm;
  let receiver: WebhookReceiver;
  const cleanups: Array<() => Promise<unknown> | unknown> = [];

  beforeAll(async () => {
    im = await FakeTencentIm.start(SDKAPPID, KEY);
    receiver = await WebhookReceiver.start();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    im.reset();
    receiver.requests.length = 0;
  });
  afterAll(async () => {
    await im?.close();
    await receiver?.close();
  });

  const startService = async (redisUrl: string, env: Record<string, string> = {}): Promise<TestApp> => {
    const svc = await startTestApp({
      REDIS_URL: redisUrl,
      NOTIFIERS: 'tencent-im,webhook',
      TENCENT_IM_SDKAPPID: String(SDKAPPID),
      TENCENT_IM_SECRET_KEY: KEY,
      TENCENT_IM_BASE_URL: im.url,
      WEBHOOK_URLS: receiver.url,
      WEBHOOK_SECRET,
      ...env,
    });
    cleanups.push(() => svc.close());
    return svc;
  };
  const notices = (groupId: string, type: string) => im.messages.filter((m) => m.groupId === groupId && m.data?.type === type);
  const hooks = (roomId: string, type: string) => receiver.requests.filter((r) => r.json?.roomId === roomId && r.json?.type === type);

  /** Every webhook-id the receiver saw names one event (same type, seq and time in every body sent under it). */
  const expectOneEventPerId = () => {
    const byId = new Map<string, Set<string>>();
    for (const r of receiver.requests) {
      const id = r.headers['webhook-id'] as string;
      const { type, seq, at, liveId } = r.json;
      byId.set(id, (byId.get(id) ?? new Set()).add(JSON.stringify({ type, seq, at, liveId })));
    }
    for (const [id, events] of byId) expect({ id, events: [...events] }).toEqual({ id, events: [expect.any(String)] });
    expect(im.duplicates).toEqual([]);
  };

  it('a failover to a replica that missed writes: the ending reaches viewers, no id names two events', async () => {
    const primary = await RedisServer.start();
    cleanups.push(() => primary.destroy());
    const link = await TcpProxy.start(primary.port); // the replication link, held back below
    cleanups.push(() => link.close());
    const replica = await RedisServer.start(['--replicaof', '127.0.0.1', String(link.port)]);
    cleanups.push(() => replica.destroy());
    const front = await TcpProxy.start(primary.port); // the address the service knows; points at the primary of the day
    cleanups.push(() => front.close());
    const replicaClient = new Redis(replica.url, { maxRetriesPerRequest: 1 });
    cleanups.push(() => replicaClient.disconnect());

    // Interrupted 1 s after the last beat, ended only after 15 s: time for the notices on a busy machine.
    const svc = await startService(`redis://127.0.0.1:${front.port}`, {
      HEARTBEAT_TIMEOUT_MS: '15000',
      SUSPECT_AFTER_MS: '1000',
      HEARTBEAT_INTERVAL_MS: '300',
      TIMEOUT_MIN_MS: '3000',
    });
    const beat = () => svc.post('/v1/rooms/fo-room/heartbeat', { liveId: 'fo-live', anchorId: 'fo-anchor' });
    expect((await beat()).status).toBe(200);
    await waitFor(() => hooks('fo-room', 'live.started').length > 0, 10000, 'live.started delivered');
    // The replica has the live as started (seq 1), then falls behind.
    await waitFor(async () => (await replicaClient.keys('led:{*}:rooms')).length > 0, 10000, 'the replica to copy the live');
    await waitFor(
      async () => {
        const [primaryOffset, replicaOffset] = await Promise.all([
          offset(primary.url, 'master_repl_offset'),
          offset(replica.url, 'slave_repl_offset'),
        ]);
        return primaryOffset === replicaOffset;
      },
      10000,
      'the replica in step',
    );
    link.hold();

    await waitFor(
      () => notices('fo-room', 'LIVE_INTERRUPTED').length > 0 && hooks('fo-room', 'live.interrupted').length > 0,
      15000,
      'the interruption told',
    );
    expect((await beat()).status).toBe(200);
    await waitFor(
      () => notices('fo-room', 'LIVE_RESUMED').length > 0 && hooks('fo-room', 'live.resumed').length > 0,
      15000,
      'the resumption told',
    );

    // The primary dies; the replica, which never saw seq 2 and 3, is promoted and takes the address.
    await primary.stop('SIGKILL');
    await replicaClient.replicaof('NO', 'ONE');
    front.retarget(replica.port);

    await waitFor(async () => (await beat()).status === 200, 15000, 'beats answered by the promoted replica');
    await waitFor(
      async () => (await svc.post('/v1/rooms/fo-room/end', { liveId: 'fo-live', anchorId: 'fo-anchor' })).status === 200,
      15000,
      'the end accepted',
    );

    // Viewers are told: IM did not drop the ending as a repeat of an earlier notice.
    await waitFor(() => notices('fo-room', 'LIVE_ENDED').length > 0, 15000, 'LIVE_ENDED at IM');
    await waitFor(() => hooks('fo-room', 'live.ended').length > 0, 15000, 'live.ended at the backend');
    // The promoted replica counts the live's events on from what it had (the last writes were lost, and the live,
    // silent there since its last copied beat, may be interrupted and resumed anew): a seq the viewers and the
    // backend already had comes back, under a new id and a new Random.
    const seqs = new Map<number, Set<string>>();
    for (const r of receiver.requests.filter((r) => r.json?.roomId === 'fo-room')) {
      seqs.set(r.json.seq, (seqs.get(r.json.seq) ?? new Set()).add(r.headers['webhook-id'] as string));
    }
    expect([...seqs.values()].filter((ids) => ids.size === 2).length).toBeGreaterThan(0);
    const randoms = im.messages.filter((m) => m.groupId === 'fo-room').map((m) => m.random);
    expect(new Set(randoms).size).toBe(randoms.length);
    const [endedHook] = hooks('fo-room', 'live.ended');
    expect(parseEventId(endedHook.headers['webhook-id'] as string)).toMatchObject({ liveId: 'fo-live', seq: endedHook.json.seq });
    expectOneEventPerId();
  });

  it('a liveId used again after ENDED_RETENTION_MS gets new event ids, and its ending is told again', async () => {
    const redis = await RedisServer.start();
    cleanups.push(() => redis.destroy());
    const svc = await startService(redis.url, { ENDED_RETENTION_MS: '1000' });
    const live = { liveId: 'again-live', anchorId: 'again-anchor' };

    expect((await svc.post('/v1/rooms/again-room/heartbeat', live)).status).toBe(200);
    expect((await svc.post('/v1/rooms/again-room/end', live)).status).toBe(200);
    await waitFor(
      () => notices('again-room', 'LIVE_ENDED').length === 1 && hooks('again-room', 'live.ended').length === 1,
      10000,
      'the first ending told',
    );
    // Refused while remembered, a new live once forgotten.
    await waitFor(async () => (await svc.post('/v1/rooms/again-room/heartbeat', live)).status === 200, 10000, 'the liveId forgotten');
    expect((await svc.post('/v1/rooms/again-room/end', live)).status).toBe(200);

    await waitFor(
      () => notices('again-room', 'LIVE_ENDED').length === 2 && hooks('again-room', 'live.ended').length >= 2,
      10000,
      'the second ending told',
    );
    const ids = hooks('again-room', 'live.ended').map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(2);
    expect(ids.map((id) => parseEventId(id as string)?.seq)).toEqual([2, 2]);
    expectOneEventPerId();
  });
});

async function offset(url: string, field: string): Promise<number> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    const info = await client.info('replication');
    return Number(new RegExp(`${field}:(\\d+)`).exec(info)?.[1] ?? -1);
  } finally {
    client.disconnect();
  }
}
