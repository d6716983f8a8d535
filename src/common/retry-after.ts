/**
 * Reads an HTTP `Retry-After` value (RFC 9110 §10.2.3) in either of its forms: `delay-seconds` (a non-negative
 * whole number of seconds) or an `HTTP-date` (IMF-fixdate, or the obsolete RFC 850 / asctime forms that
 * §5.6.7 requires recipients to accept; `Date.parse` reads all three).
 *
 * @param value the header's value, as received (undefined when absent)
 * @param now the current time, epoch ms (a date in the past means "now": 0)
 * @returns milliseconds to wait, or undefined when the header is absent or unreadable
 */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP-date always names a weekday and a month in letters; a bare number with a sign or fraction is invalid.
  if (!/[A-Za-z]/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}
