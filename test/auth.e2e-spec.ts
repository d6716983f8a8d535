import { exportSPKI, generateKeyPair, KeyLike, SignJWT, UnsecuredJWT } from 'jose';
import { RedisServer } from './support/redis-server';
import { startTestApp, TestApp } from './support/test-app';

const SECRET = 'backend-and-detector-share-this-secret';

/** What the business backend does: a short-lived token naming the anchor and the room. */
function mint(claims: { sub?: string; room?: string }, { secret = SECRET, exp = '5m' as string | number } = {}) {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt();
  if (exp !== '') jwt.setExpirationTime(exp);
  return jwt.sign(new TextEncoder().encode(secret));
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('anchor authentication (AUTH_MODE=jwt)', () => {
  let redis: RedisServer;
  let svc: TestApp;

  beforeAll(async () => {
    redis = await RedisServer.start();
    svc = await startTestApp({ REDIS_URL: redis.url, AUTH_MODE: 'jwt', AUTH_JWT_SECRET: SECRET });
  });

  afterAll(async () => {
    await svc?.close();
    await redis?.destroy();
  });

  const beat = (roomId: string, anchorId: string, headers: Record<string, string> = {}) =>
    svc.post(`/v1/rooms/${roomId}/heartbeat`, { liveId: `${roomId}-live`, anchorId }, headers);
  const stateOf = async (roomId: string) => (await svc.get(`/v1/rooms/${roomId}`)).body.state;

  it('accepts heartbeat and end with a token for this anchor and room', async () => {
    const token = await mint({ sub: 'anchor-1', room: 'auth-room' });
    expect((await beat('auth-room', 'anchor-1', bearer(token))).status).toBe(200);
    const end = await svc.post('/v1/rooms/auth-room/end', { liveId: 'auth-room-live', anchorId: 'anchor-1' }, bearer(token));
    expect(end.status).toBe(200);
    expect(await stateOf('auth-room')).toBe('ended');
  });

  it('keeps the room status public (late joiners have no anchor token)', async () => {
    expect((await svc.get('/v1/rooms/auth-room')).status).toBe(200);
  });

  const unauthorized: Array<[string, () => Promise<Record<string, string>>, RegExp]> = [
    ['no Authorization header', async () => ({}), /Bearer/],
    ['a scheme other than Bearer', async () => ({ authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }), /Bearer/],
    ['a malformed token', async () => bearer('not.a.jwt'), /malformed/],
    [
      'a token signed with another secret (forged)',
      async () => bearer(await mint({ sub: 'a', room: 'r401' }, { secret: 'someone-elses-secret-of-enough-length' })),
      /signature/,
    ],
    [
      'an expired token',
      async () => bearer(await mint({ sub: 'a', room: 'r401' }, { exp: Math.floor(Date.now() / 1000) - 120 })),
      /expired/,
    ],
    ['a token without exp', async () => bearer(await mint({ sub: 'a', room: 'r401' }, { exp: '' })), /exp/],
    ['a token without room', async () => bearer(await mint({ sub: 'a' })), /room/],
    [
      'an unsigned token (alg none)',
      async () => bearer(new UnsecuredJWT({ sub: 'a', room: 'r401' }).setExpirationTime('5m').encode()),
      /algorithm|malformed/,
    ],
  ];
  it.each(unauthorized)('answers 401 with WWW-Authenticate to %s, and writes nothing', async (_name, headers, message) => {
    const response = await beat('r401', 'a', await headers());
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="live-end-detector"/);
    expect(response.body.message).toMatch(message);
    expect(await stateOf('r401')).toBe('idle');
  });

  it('accepts a token that expired within the clock tolerance', async () => {
    const token = await mint({ sub: 'a', room: 'skew-room' }, { exp: Math.floor(Date.now() / 1000) - 10 });
    expect((await beat('skew-room', 'a', bearer(token))).status).toBe(200);
  });

  it('answers 403 to a valid token for another room, and writes nothing', async () => {
    const token = await mint({ sub: 'a', room: 'other-room' });
    const response = await beat('r403', 'a', bearer(token));
    expect(response.status).toBe(403);
    expect(response.body.message).toMatch(/another room/);
    expect(await stateOf('r403')).toBe('idle');
  });

  it('answers 403 to a valid token for another anchor, on heartbeat and on end', async () => {
    const owner = await mint({ sub: 'owner', room: 'r403b' });
    const other = await mint({ sub: 'intruder', room: 'r403b' });
    expect((await beat('r403b', 'owner', bearer(owner))).status).toBe(200);

    const hijack = await beat('r403b', 'owner', bearer(other));
    expect(hijack.status).toBe(403);
    expect(hijack.body.message).toMatch(/another anchor/);
    const end = await svc.post('/v1/rooms/r403b/end', { liveId: 'r403b-live', anchorId: 'owner' }, bearer(other));
    expect(end.status).toBe(403);
    expect(await stateOf('r403b')).toBe('live');
    await svc.post('/v1/rooms/r403b/end', { liveId: 'r403b-live', anchorId: 'owner' }, bearer(owner));
  });

  it('still names a bad field (400) once the token is good', async () => {
    const token = await mint({ sub: 'a', room: 'r400' });
    const response = await svc.post('/v1/rooms/r400/heartbeat', { anchorId: 'a' }, bearer(token));
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body.message)).toContain('liveId');
  });
});

describe('anchor authentication with a public key (ES256)', () => {
  let redis: RedisServer;
  let svc: TestApp;
  let privateKey: KeyLike;
  let pem: string;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    privateKey = pair.privateKey;
    pem = await exportSPKI(pair.publicKey);
    redis = await RedisServer.start();
    svc = await startTestApp({ REDIS_URL: redis.url, AUTH_MODE: 'jwt', AUTH_JWT_PUBLIC_KEY: pem });
  });

  afterAll(async () => {
    await svc?.close();
    await redis?.destroy();
  });

  it('accepts a token signed with the matching private key', async () => {
    const token = await new SignJWT({ sub: 'a', room: 'es-room' })
      .setProtectedHeader({ alg: 'ES256' })
      .setExpirationTime('1m')
      .sign(privateKey);
    expect((await svc.post('/v1/rooms/es-room/heartbeat', { liveId: 'es-live', anchorId: 'a' }, bearer(token))).status).toBe(200);
  });

  it('refuses an HS256 token that uses the public key as its secret (algorithm confusion)', async () => {
    const token = await new SignJWT({ sub: 'a', room: 'es-room' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode(pem));
    const response = await svc.post('/v1/rooms/es-room/heartbeat', { liveId: 'es-live', anchorId: 'a' }, bearer(token));
    expect(response.status).toBe(401);
  });
});
