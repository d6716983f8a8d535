/** Claims of a token that passed verification, and when it stops being acceptable (ms). */
export interface VerifiedClaims {
  sub: string;
  room: string;
  acceptUntil: number;
}

/**
 * Anchors send the same token with every beat; verifying its HMAC and parsing its claims was a tenth of a
 * heartbeat's CPU (bench/heartbeat.ts profile). A token string that verified once is accepted again from
 * here until its `exp` (plus the clock tolerance) passes; anything else is verified in full. Only verified
 * tokens enter, keyed by the whole token, so the cache cannot admit a token the verifier would refuse
 * before it expires. Bounded: the oldest entries go first. Gateway tokens use one of their own (GatewayAuthenticator).
 */
export class VerifiedTokenCache<T extends { acceptUntil: number } = VerifiedClaims> {
  private readonly entries = new Map<string, T>();

  constructor(private readonly maxEntries = 100000) {}

  get(token: string, now = Date.now()): T | null {
    const hit = this.entries.get(token);
    if (!hit) return null;
    if (now >= hit.acceptUntil) {
      this.entries.delete(token);
      return null;
    }
    return hit;
  }

  set(token: string, claims: T): void {
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(token, claims);
  }
}
