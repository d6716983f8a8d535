/**
 * Exponential backoff with full jitter (as the AWS architecture note recommends): spreads the
 * retries of many failed deliveries instead of sending them back in lockstep.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(baseMs / 2 + random() * (ceiling - baseMs / 2));
}
