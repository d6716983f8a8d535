import { AnchorClient, AnchorClientError, AnchorState } from '../clients/anchor-client/src';
import { FakeTencentIm } from './support/fake-tencent-im';
import { RedisServer } from './support/redis-server';
import { startTestApp, TestApp } from './support/test-app';
import { sleep, waitFor } from './support/wait-for';

const SDKAPPID = 1400000000;
const KEY = '5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e';
const ADMIN_TOKEN = 'admin-token-for-anchor-client-tests';

/** The anchor SDK as apps use it, against the real service, with the room's viewers played by a Tencent IM stand-in. */
describe('anchor client, service and viewers end to end', () => {
  let redis: RedisServer;
  let im: FakeTencentIm;
  let svc: TestApp;
  let url: string;
  const clients: AnchorClient[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
    im = await FakeTencentIm.start(SDKAPPID, KEY);
    svc = await startTestApp({
      REDIS_URL: redis.url,
      NOTIFIERS: 'tencent-im',
      TENCENT_IM_SDKAPPID: String(SDKAPPID),
      TENCENT_IM_SECRET_KEY: KEY,
      TENCENT_IM_BASE_URL: im.url,
      TENCENT_IM_TIMEOUT_MS: '3100',
      ADMIN_TOKEN,
      HEARTBEAT_TIMEOUT_MS: '3000',
      SUSPECT_AFTER_MS: '1500',
      HEARTBEAT_INTERVAL_MS: '500',
      TIMEOUT_MIN_MS: '3000',
      HEARTBEAT_RATE_PER_SEC: '10',
    });
    url = svc.url.replace('[::1]', '127.0.0.1');
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.stop({ end: false })));
  });

  afterAll(async () => {
    await svc?.close();
    await im?.close();
    await redis?.destroy();
  });

  const anchor = (name: string, extra: Partial<ConstructorParameters<typeof AnchorClient>[0]> = {}) => {
    const client = new AnchorClient({ baseUrl: url, roomId: `${name}-room`, liveId: `${name}-live`, anchorId: `${name}-anchor`, ...extra });
    const seen = { states: [] as AnchorState[], ended: [] as string[], errors: [] as AnchorClientError[] };
    client.on('state', (s: AnchorState) => seen.states.push(s));
    client.on('ended', (r: string) => seen.ended.push(r));
    client.on('error', (e: AnchorClientError) => seen.errors.push(e));
    clients.push(client);
    return { client, seen };
  };
  const noticesTo = (groupId: string, type?: string) =>
    im.messages.filter((m) => m.groupId === groupId && (!type || m.data?.type === type));

  it('a crashed anchor (beats stop, no end call): its viewers are told LIVE_ENDED once, reason timeout', async () => {
    const { client } = anchor('crash');
    await client.start();
    await sleep(1000);
    await client.stop({ end: false });
    await waitFor(() => noticesTo('crash-room', 'LIVE_ENDED').length === 1, 15000, 'LIVE_ENDED');
    await sleep(1500); // a repeat would arrive by now
    expect(noticesTo('crash-room', 'LIVE_ENDED')).toHaveLength(1);
    expect(noticesTo('crash-room', 'LIVE_ENDED')[0].data).toMatchObject({
      liveId: 'crash-live',
      anchorId: 'crash-anchor',
      reason: 'timeout',
    });
    expect(client.state).toBe('stopped');
  });

  it('a normal stop: viewers are told at once with reason normal', async () => {
    const { client, seen } = anchor('normal');
    await client.start();
    await client.stop();
    await waitFor(() => noticesTo('normal-room', 'LIVE_ENDED').length === 1, 15000, 'LIVE_ENDED');
    expect(noticesTo('normal-room', 'LIVE_ENDED')[0].data.reason).toBe('normal');
    expect(seen.ended).toEqual(['normal']);
  });

  it('survives a Redis restart: retries through the 503s, goes live again, and the live never ends', async () => {
    // The room's 10 s timeout outlasts the 4 s outage plus the client's retry delays.
    const { client, seen } = anchor('outage', { timeoutMs: 10000 });
    await client.start();
    await redis.stop();
    await waitFor(() => client.state === 'retrying', 10000, 'retrying');
    await sleep(4000);
    await redis.launch(); // same port and data directory: AOF brings the state back
    await waitFor(() => client.state === 'live', 15000, 'live again');
    await sleep(1000);
    expect(seen.errors.some((e) => e.status === 503)).toBe(true);
    expect(seen.states).toEqual(['live', 'retrying', 'live']);
    expect(noticesTo('outage-room', 'LIVE_ENDED')).toEqual([]);
    expect((await svc.get('/v1/rooms/outage-room')).body).toMatchObject({ state: 'live', liveId: 'outage-live' });
  });

  it('a live force-ended by the admin API: the client gets 410, stops and reports reason admin', async () => {
    const { client, seen } = anchor('forced');
    await client.start();
    const forced = await svc.post('/v1/admin/rooms/forced-room/end', undefined, { authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(forced.status).toBe(200);
    await waitFor(() => client.state === 'ended', 10000, 'client ended');
    expect(seen.ended).toEqual(['admin']);
    await waitFor(() => noticesTo('forced-room', 'LIVE_ENDED').length === 1, 15000, 'LIVE_ENDED');
    expect(noticesTo('forced-room', 'LIVE_ENDED')[0].data.reason).toBe('admin');
  });
});
