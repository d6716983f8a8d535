import { SignJWT } from 'jose';
import { startTestApp, TestApp } from './support/test-app';
import { startTestRedis, TestRedis } from './support/test-redis';

const SECRET = 'backend-and-detector-share-this-secret';
const key = new TextEncoder().encode(SECRET);

/** What the business backend mints for its access service: typed gateway+jwt, scoped by `rooms`. */
const gatewayToken = (rooms: unknown, typ = 'gateway+jwt') =>
  new SignJWT({ rooms }).setProtectedHeader({ alg: 'HS256', typ }).setSubject('access-eu-1').setExpirationTime('5m').sign(key);
const anchorToken = (sub: string, room: string) =>
  new SignJWT({ room }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('5m').sign(key);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

type Beat = Record<string, unknown> & { roomId: string };

/** The same refusals and acceptances whichever route carries them; only times and retry waits differ. */
const comparable = ({ deadline, retryAfterMs, message, ...rest }: Record<string, unknown>): Record<string, unknown> => ({
  ...rest,
  ...(deadline !== undefined && { deadline: typeof deadline }),
  ...(retryAfterMs !== undefined && { retryAfterMs: typeof retryAfterMs }),
  message: typeof message === 'string' ? message.replace(/\d+ ms/, 'N ms') : message,
});

describe('gateway heartbeats (POST /v1/gateway/heartbeats)', () => {
  let redis: TestRedis;
  let svc: TestApp;
  let gateway: Record<string, string>;

  beforeAll(async () => {
    redis = await startTestRedis();
    svc = await startTestApp({
      ...redis.env,
      AUTH_MODE: 'jwt',
      AUTH_JWT_SECRET: SECRET,
      HEARTBEAT_TIMEOUT_MS: '20000',
      SUSPECT_AFTER_MS: '10000',
      HEARTBEAT_INTERVAL_MS: '5000',
      TIMEOUT_MIN_MS: '5000',
      // Two beats at once, then one per half second: the third beat in a row is refused.
      HEARTBEAT_RATE_PER_SEC: '2',
      HEARTBEAT_RATE_BURST: '2',
    });
    gateway = bearer(await gatewayToken(['single-*', 'batch-*', 'many-*']));
  });

  afterAll(async () => {
    await svc?.close();
    await redis?.destroy();
  });

  const batch = (beats: unknown, headers = gateway) => svc.post('/v1/gateway/heartbeats', { beats }, headers);

  /** One of each answer the single route gives, in `prefix`'s rooms; room B's live has ended normally beforehand. */
  async function scenario(prefix: string): Promise<Beat[]> {
    const b = `${prefix}-b`;
    expect((await batch([{ roomId: b, liveId: 'live-b', anchorId: 'anchor-b' }])).body.results[0].statusCode).toBe(200);
    expect(
      (await svc.post(`/v1/rooms/${b}/end`, { liveId: 'live-b', anchorId: 'anchor-b' }, bearer(await anchorToken('anchor-b', b)))).status,
    ).toBe(200);
    const a = `${prefix}-a`;
    return [
      { roomId: a, liveId: 'live-a', anchorId: 'anchor-a', groupId: '@TGS#a' }, // starts
      { roomId: a, liveId: 'live-a', anchorId: 'anchor-x' }, // 409: another anchor's live (refused: takes no rate)
      { roomId: a, liveId: 'live-a', anchorId: 'anchor-a' }, // extends
      { roomId: b, liveId: 'live-b', anchorId: 'anchor-b' }, // 410: ended
      { roomId: a, liveId: 'live-a', anchorId: 'anchor-a' }, // 429: third beat at once
      { roomId: `${prefix}-c`, liveId: 'live c!', anchorId: 'anchor-c' }, // 400: liveId
      { roomId: `${prefix}-c`, liveId: 'live-c', anchorId: 'anchor-c', timeoutMs: 1 }, // 400: timeoutMs bounds
      { roomId: `${prefix}-c`, liveId: 'live-c', anchorId: 'anchor-c', timeoutMs: '30000', colour: 'red' }, // 400: type, unknown field
    ];
  }

  it('gives each beat exactly what the single heartbeat route answers, in order', async () => {
    const single = [];
    for (const { roomId, ...body } of await scenario('single')) {
      const anchorId = String(body.anchorId);
      const answer = await svc.post(`/v1/rooms/${roomId}/heartbeat`, body, bearer(await anchorToken(anchorId, roomId)));
      single.push(comparable({ statusCode: answer.status, ...answer.body }));
    }
    const response = await batch(await scenario('batch'));
    expect(response.status).toBe(200);
    expect(response.body.results.map(comparable)).toEqual(single);
    expect(single.map((r) => r.statusCode)).toEqual([200, 409, 200, 410, 429, 400, 400, 400]);
    expect(response.body.results[0]).toMatchObject({ state: 'live', liveId: 'live-a', nextHeartbeatInMs: 5000 });
    expect(response.body.results[7].message).toEqual(['property colour should not exist', 'timeoutMs must be an integer']);
    expect((await svc.get('/v1/rooms/batch-a')).body).toMatchObject({
      state: 'live',
      liveId: 'live-a',
      anchorId: 'anchor-a',
      groupId: '@TGS#a',
    });
  });

  it('takes beats of rooms spread over every shard in one request', async () => {
    const beats = Array.from({ length: 200 }, (_, i) => ({ roomId: `many-${i}`, liveId: `live-${i}`, anchorId: `anchor-${i}` }));
    const response = await batch(beats);
    expect(response.body.results.filter((r: { statusCode: number }) => r.statusCode === 200)).toHaveLength(200);
    expect((await svc.get('/v1/rooms/many-137')).body).toMatchObject({ state: 'live', liveId: 'live-137' });
  });

  it("refuses, per beat, rooms outside the gateway token's scope", async () => {
    const response = await batch([
      { roomId: 'batch-scope', liveId: 'l', anchorId: 'a' },
      { roomId: 'elsewhere', liveId: 'l', anchorId: 'a' },
    ]);
    expect(response.body.results.map((r: { statusCode: number }) => r.statusCode)).toEqual([200, 403]);
    expect(response.body.results[1].message).toMatch(/room elsewhere is outside the scope of gateway access-eu-1/);
    expect((await svc.get('/v1/rooms/elsewhere')).body.state).toBe('idle');
  });

  it('keeps gateway and anchor tokens apart', async () => {
    const beat = { roomId: 'batch-sep', liveId: 'l', anchorId: 'a' };
    const asAnchor = await batch([beat], bearer(await anchorToken('a', 'batch-sep')));
    expect(asAnchor.status).toBe(401);
    expect(asAnchor.body.message).toMatch(/token type not accepted here/);
    const untyped = await batch([beat], bearer(await gatewayToken(['*'], 'JWT')));
    expect(untyped.status).toBe(401);
    const onAnchorRoute = await svc.post('/v1/rooms/batch-sep/heartbeat', { liveId: 'l', anchorId: 'a' }, gateway);
    expect(onAnchorRoute.status).toBe(401);
    expect((await batch([beat], {})).status).toBe(401);
    expect((await batch([beat], bearer(await gatewayToken('batch-*')))).body.message).toMatch(/claim rooms/);
    expect((await svc.get('/v1/rooms/batch-sep')).body.state).toBe('idle');
  });

  it('refuses a malformed envelope as a whole, naming the field', async () => {
    const tooMany = Array.from({ length: 501 }, (_, i) => ({ roomId: `batch-${i}`, liveId: 'l', anchorId: 'a' }));
    expect((await batch(tooMany)).body).toMatchObject({ statusCode: 400, message: ['beats must NOT have more than 500 items'] });
    expect((await batch([])).status).toBe(400);
    expect((await svc.post('/v1/gateway/heartbeats', {}, gateway)).body.message).toEqual(['beats is required']);
    expect((await batch(['room-1'])).body.message).toEqual(['beats.0 must be an object']);
  });
});
