/**
 * Exponential backoff with full jitter ("Exponential Backoff And Jitter", AWS Architecture Blog, 2015):
 * a delay drawn uniformly from [0, min(maxMs, baseMs · 2^(attempt−1))] milliseconds, so many deliveries that
 * failed together come back spread over the whole interval instead of in lockstep. No floor: a delay may be 0.
 *
 * @param attempt the attempt that just failed, from 1
 * @param baseMs ceiling of the first delay, ms
 * @param maxMs ceiling of every delay, ms
 * @param random source of uniform numbers in [0, 1) (tests pass a fixed one)
 * @returns whole milliseconds in [0, min(maxMs, baseMs · 2^(attempt−1))]
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  return Math.round(random() * backoffCeiling(attempt, baseMs, maxMs));
}

/**
 * The exponential part of a backoff: min(maxMs, baseMs · 2^(attempt−1)) ms, for attempt ≥ 1.
 * @param attempt the attempt that just failed, from 1
 */
export function backoffCeiling(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(0, attempt - 1), 52));
}
