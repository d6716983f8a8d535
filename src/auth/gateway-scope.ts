/**
 * The JOSE `typ` header a gateway token must carry (explicit typing, RFC 8725 §3.11): it tells a gateway
 * token from an anchor token signed with the same key, so neither is accepted where the other is expected.
 */
export const GATEWAY_TOKEN_TYPE = 'gateway+jwt';

/**
 * The rooms a gateway may beat for, from its token's `rooms` claim: each entry an exact roomId, or a prefix
 * ending in `*` (`shop-eu-*`); `*` alone covers every room.
 */
export class GatewayScope {
  private constructor(
    private readonly exact: ReadonlySet<string>,
    private readonly prefixes: readonly string[],
  ) {}

  /** Every room: AUTH_MODE=none, where anchors are not checked either. */
  static readonly ALL = new GatewayScope(new Set(), ['']);

  /** Throws an Error naming the claim when `rooms` is not a non-empty array of non-empty strings. */
  static fromClaim(rooms: unknown): GatewayScope {
    if (!Array.isArray(rooms) || rooms.length === 0 || !rooms.every((r) => typeof r === 'string' && r.length > 0)) {
      throw new Error('token claim rooms must be a non-empty array of room ids or prefixes ending in *');
    }
    const exact = new Set<string>();
    const prefixes: string[] = [];
    for (const entry of rooms as string[]) {
      if (entry.endsWith('*')) prefixes.push(entry.slice(0, -1));
      else exact.add(entry);
    }
    return new GatewayScope(exact, prefixes);
  }

  covers(roomId: string): boolean {
    return this.exact.has(roomId) || this.prefixes.some((prefix) => roomId.startsWith(prefix));
  }
}
