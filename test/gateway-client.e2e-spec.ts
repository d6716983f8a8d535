import { SignJWT } from 'jose';
import { GatewayClient, GatewayClientError } from '../clients/anchor-client/src';
import { RedisServer } from './support/redis-server';
import { startTestApp, TestApp } from './support/test-app';

const SECRET = 'backend-and-detector-share-this-secret';
const key = new TextEncoder().encode(SECRET);
const gatewayToken = (exp: number | string = '5m') =>
  new SignJWT({ rooms: ['gw-*'] })
    .setProtectedHeader({ alg: 'HS256', typ: 'gateway+jwt' })
    .setSubject('access-1')
    .setExpirationTime(exp)
    .sign(key);

/** A gateway holding many anchors' connections forwards their beats through GatewayClient, against the real service. */
describe('GatewayClient', () => {
  let redis: RedisServer;
  let svc: TestApp;
  let url: string;
  const requests: number[] = [];
  /** Counts requests and the beats in each. */
  const countingFetch: typeof fetch = async (input, init) => {
    requests.push(JSON.parse(String(init?.body)).beats.length);
    return fetch(input, init);
  };

  beforeAll(async () => {
    redis = await RedisServer.start();
    svc = await startTestApp({
      REDIS_URL: redis.url,
      AUTH_MODE: 'jwt',
      AUTH_JWT_SECRET: SECRET,
      HEARTBEAT_TIMEOUT_MS: '20000',
      SUSPECT_AFTER_MS: '10000',
      HEARTBEAT_INTERVAL_MS: '5000',
      TIMEOUT_MIN_MS: '5000',
    });
    url = svc.url.replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await svc?.close();
    await redis?.destroy();
  });

  it("batches many anchors' beats into few requests and hands each anchor its own result", async () => {
    requests.length = 0;
    const client = new GatewayClient({ baseUrl: url, getToken: () => gatewayToken(), fetch: countingFetch, maxBatch: 50 });
    const beats = Array.from({ length: 120 }, (_, i) => ({ roomId: `gw-${i}`, liveId: `live-${i}`, anchorId: `anchor-${i}` }));
    const results = await Promise.all(beats.map((beat) => client.beat(beat)));
    expect(results.every((r) => r.statusCode === 200 && r.nextHeartbeatInMs === 5000)).toBe(true);
    expect(results[77].liveId).toBe('live-77');
    expect(requests).toEqual([50, 50, 20]);

    // The anchor of gw-3 ended its live through the single route; its next forwarded beat says so.
    await svc.post(
      '/v1/rooms/gw-3/end',
      { liveId: 'live-3', anchorId: 'anchor-3' },
      { authorization: `Bearer ${await anchorToken('anchor-3', 'gw-3')}` },
    );
    const [ended, going] = await Promise.all([client.beat(beats[3]), client.beat(beats[4])]);
    expect(ended).toMatchObject({ statusCode: 410, reason: 'normal' });
    expect(going.statusCode).toBe(200);
    await client.close();
  });

  it('sends two beats of one live waiting together once', async () => {
    requests.length = 0;
    const client = new GatewayClient({ baseUrl: url, getToken: () => gatewayToken(), fetch: countingFetch });
    const beat = { roomId: 'gw-twice', liveId: 'live-twice', anchorId: 'anchor-twice' };
    const [first, second] = await Promise.all([client.beat(beat), client.beat(beat)]);
    expect(first).toEqual(second);
    expect(requests).toEqual([1]);
  });

  it('asks for a new token once after a 401, and fails the beats when the token stays refused', async () => {
    const tokens = [await gatewayToken(Math.floor(Date.now() / 1000) - 600), await gatewayToken()];
    const refreshing = new GatewayClient({ baseUrl: url, getToken: () => tokens.shift()! });
    expect((await refreshing.beat({ roomId: 'gw-token', liveId: 'l', anchorId: 'a' })).statusCode).toBe(200);

    const anchorAsGateway = new GatewayClient({ baseUrl: url, getToken: () => anchorToken('a', 'gw-token') });
    const refused = anchorAsGateway.beat({ roomId: 'gw-token', liveId: 'l', anchorId: 'a' });
    await expect(refused).rejects.toBeInstanceOf(GatewayClientError);
    await expect(refused).rejects.toMatchObject({ status: 401 });
  });
});

function anchorToken(sub: string, room: string): Promise<string> {
  return new SignJWT({ room }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('5m').sign(key);
}
