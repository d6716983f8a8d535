import { SignJWT } from 'jose';

/** The HS256 secret the service verifies anchor tokens with in the benchmarks. */
export const JWT_SECRET = 'bench-jwt-secret-0123456789abcdef0123456789';

/** Service settings for AUTH_MODE=jwt with the bench secret. */
export const AUTH_ENV = { AUTH_MODE: 'jwt', AUTH_JWT_SECRET: JWT_SECRET };

export interface Anchor {
  roomId: string;
  liveId: string;
  anchorId: string;
  /** `Bearer <JWT>` with sub = anchorId, room = roomId. */
  authorization: string;
  /** The heartbeat body, serialised once. */
  body: string;
}

const key = new TextEncoder().encode(JWT_SECRET);

/** `count` anchors, one room each, with tokens minted as a business backend would (valid for two hours). */
export async function anchors(count: number, tag = 'b'): Promise<Anchor[]> {
  const exp = Math.floor(Date.now() / 1000) + 7200;
  const out: Anchor[] = [];
  for (let i = 0; i < count; i++) {
    const roomId = `room-${tag}${i}`;
    const anchorId = `anchor-${tag}${i}`;
    const liveId = `live-${tag}${i}-${Date.now().toString(36)}`;
    const token = await new SignJWT({ room: roomId })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(anchorId)
      .setExpirationTime(exp)
      .sign(key);
    out.push({ roomId, liveId, anchorId, authorization: `Bearer ${token}`, body: JSON.stringify({ liveId, anchorId }) });
  }
  return out;
}
