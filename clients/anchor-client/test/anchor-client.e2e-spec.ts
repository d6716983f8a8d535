import { SignJWT } from 'jose';
import { AnchorClient, AnchorClientError, AnchorState } from '../src';
import { RedisServer } from '../../../test/support/redis-server';
import { startTestApp, TestApp } from '../../../test/support/test-app';
import { sleep, waitFor } from '../../../test/support/wait-for';

const SECRET = 'backend-and-detector-share-this-secret';

const mint = (anchorId: string, roomId: string, exp: number | string = '5m') =>
  new SignJWT({ sub: anchorId, room: roomId })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(SECRET));

/** Records what an app would show: every state change, the end reason, the errors. */
function watch(client: AnchorClient) {
  const seen = { states: [] as AnchorState[], ended: [] as string[], errors: [] as AnchorClientError[] };
  client.on('state', (s: AnchorState) => seen.states.push(s));
  client.on('ended', (r: string) => seen.ended.push(r));
  client.on('error', (e: AnchorClientError) => seen.errors.push(e));
  return seen;
}

describe('AnchorClient against the real service', () => {
  let redis: RedisServer;
  let svc: TestApp;
  let jwtSvc: TestApp;
  const clients: AnchorClient[] = [];
  const track = (client: AnchorClient) => (clients.push(client), client);

  beforeAll(async () => {
    redis = await RedisServer.start();
    // Beats every 500 ms at the default 3 s timeout; the rate limit (4/s, burst 2) is low enough to reach on purpose.
    svc = await startTestApp({
      REDIS_URL: redis.url,
      HEARTBEAT_TIMEOUT_MS: '3000',
      SUSPECT_AFTER_MS: '1500',
      HEARTBEAT_INTERVAL_MS: '500',
      TIMEOUT_MIN_MS: '3000',
      HEARTBEAT_RATE_PER_SEC: '4',
      HEARTBEAT_RATE_BURST: '2',
    });
    jwtSvc = await startTestApp({ REDIS_URL: redis.url, AUTH_MODE: 'jwt', AUTH_JWT_SECRET: SECRET, REDIS_KEY_PREFIX: 'jwt' });
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.stop({ end: false })));
  });

  afterAll(async () => {
    await jwtSvc?.close();
    await svc?.close();
    await redis?.destroy();
  });

  const base = (url: string) => url.replace('[::1]', '127.0.0.1');
  const room = async (app: TestApp, roomId: string) => (await app.get(`/v1/rooms/${roomId}`)).body;

  it('starts the live, keeps it past the timeout at the interval the service asks, and ends it normally', async () => {
    const client = track(
      new AnchorClient({ baseUrl: base(svc.url), roomId: 'c-room-1', liveId: 'c-live-1', anchorId: 'a1', timeoutMs: 3000 }),
    );
    const seen = watch(client);
    const first = await client.start();
    expect(first).toMatchObject({ state: 'live', liveId: 'c-live-1', nextHeartbeatInMs: 500 });
    await sleep(4000); // longer than the room's timeout: only beats keep it on
    expect((await room(svc, 'c-room-1')).state).toBe('live');
    await client.stop();
    expect(await room(svc, 'c-room-1')).toMatchObject({ state: 'ended', reason: 'normal' });
    expect(seen.states).toEqual(['live', 'ended']);
    expect(seen.ended).toEqual(['normal']);
  });

  it('stop({ end: false }) leaves the live to time out, as a crash does', async () => {
    const client = track(
      new AnchorClient({ baseUrl: base(svc.url), roomId: 'c-room-2', liveId: 'c-live-2', anchorId: 'a2', timeoutMs: 3000 }),
    );
    await client.start();
    await client.stop({ end: false });
    expect(client.state).toBe('stopped');
    await waitFor(async () => (await room(svc, 'c-room-2')).reason === 'timeout', 15000, 'timeout ending');
  });

  it('rides out network errors in state retrying, then goes live again', async () => {
    let failing = false;
    const flaky: typeof fetch = (input, init) => (failing ? Promise.reject(new TypeError('fetch failed')) : fetch(input, init));
    const client = track(
      new AnchorClient({ baseUrl: base(svc.url), roomId: 'c-room-3', liveId: 'c-live-3', anchorId: 'a3', timeoutMs: 3000, fetch: flaky }),
    );
    const seen = watch(client);
    await client.start();
    failing = true;
    await waitFor(() => client.state === 'retrying', 10000, 'retrying');
    failing = false;
    await waitFor(() => client.state === 'live', 10000, 'live again');
    expect(seen.states).toEqual(['live', 'retrying', 'live']);
    expect(seen.errors.some((e) => /fetch failed/.test(e.message))).toBe(true);
    expect((await room(svc, 'c-room-3')).state).toBe('live');
  });

  it('honours 429 Retry-After without leaving the live state', async () => {
    const client = track(
      new AnchorClient({ baseUrl: base(svc.url), roomId: 'c-room-4', liveId: 'c-live-4', anchorId: 'a4', timeoutMs: 6000 }),
    );
    const seen = watch(client);
    await client.start();
    // Someone else beating for this live keeps its rate bucket (4/s, burst 2) empty.
    const drain = setInterval(
      () => void svc.post('/v1/rooms/c-room-4/heartbeat', { liveId: 'c-live-4', anchorId: 'a4', timeoutMs: 6000 }),
      100,
    );
    await waitFor(() => seen.errors.some((e) => e.status === 429), 10000, 'a 429').finally(() => clearInterval(drain));
    const limitedAt = Date.now();
    await new Promise<void>((resolve) => client.once('beat', () => resolve()));
    expect(Date.now() - limitedAt).toBeGreaterThanOrEqual(900); // Retry-After: 1
    expect(seen.states).toEqual(['live']);
  });

  it('stops and reports the reason on 410 when the live was ended elsewhere', async () => {
    const ended: string[] = [];
    const client = track(
      new AnchorClient({
        baseUrl: base(svc.url),
        roomId: 'c-room-5',
        liveId: 'c-live-5',
        anchorId: 'a5',
        timeoutMs: 3000,
        onEnded: (r) => ended.push(r),
      }),
    );
    await client.start();
    expect((await svc.post('/v1/rooms/c-room-5/end', { liveId: 'c-live-5', anchorId: 'a5' })).status).toBe(200);
    await waitFor(() => client.state === 'ended', 10000, 'ended');
    expect(ended).toEqual(['normal']);
    // A new client for the same liveId is refused at once: start() rejects.
    const again = track(new AnchorClient({ baseUrl: base(svc.url), roomId: 'c-room-5', liveId: 'c-live-5', anchorId: 'a5' }));
    await expect(again.start()).rejects.toThrow(/ended \(normal\)/);
  });

  it('gets a fresh token through getToken after a 401, once, then reports', async () => {
    let calls = 0;
    // The first token has expired (beyond the service's clock tolerance); the next ones are good.
    const getToken = () => (++calls === 1 ? mint('a6', 'c-room-6', Math.floor(Date.now() / 1000) - 120) : mint('a6', 'c-room-6'));
    const client = track(
      new AnchorClient({ baseUrl: base(jwtSvc.url), roomId: 'c-room-6', liveId: 'c-live-6', anchorId: 'a6', timeoutMs: 3000, getToken }),
    );
    await client.start();
    expect(calls).toBe(2);
    expect((await room(jwtSvc, 'c-room-6')).state).toBe('live');
    await client.stop();
    expect((await room(jwtSvc, 'c-room-6')).reason).toBe('normal');

    const bad = track(
      new AnchorClient({ baseUrl: base(jwtSvc.url), roomId: 'c-room-7', liveId: 'c-live-7', anchorId: 'a7', getToken: () => 'not.a.jwt' }),
    );
    const seen = watch(bad);
    await expect(bad.start()).rejects.toThrow(/401/);
    expect(seen.ended).toEqual(['unauthorized']);
    expect(seen.errors.map((e) => e.status)).toEqual([401]);
  });
});
