import { createHash, timingSafeEqual } from 'node:crypto';

/** The IM callback `Sign`: lowercase hex SHA-256 of the console token followed by `RequestTime`. */
export function imCallbackSign(token: string, requestTime: string): string {
  return createHash('sha256')
    .update(token + requestTime, 'utf8')
    .digest('hex');
}

/**
 * Checks a callback's `Sign` in constant time and refuses a `RequestTime` (Unix seconds) further
 * than `maxSkewSeconds` from now, so a captured callback cannot be replayed later.
 */
export function verifyImCallback(
  token: string,
  sign: string | undefined,
  requestTime: string | undefined,
  maxSkewSeconds: number,
  nowSeconds = Math.floor(Date.now() / 1000),
): 'ok' | 'missing' | 'stale' | 'wrong' {
  if (!sign || !requestTime) return 'missing';
  if (!/^\d{1,12}$/.test(requestTime) || Math.abs(nowSeconds - Number(requestTime)) > maxSkewSeconds) return 'stale';
  const expected = Buffer.from(imCallbackSign(token, requestTime));
  const given = Buffer.from(sign.toLowerCase());
  return expected.length === given.length && timingSafeEqual(expected, given) ? 'ok' : 'wrong';
}
