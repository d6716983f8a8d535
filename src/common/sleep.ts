/**
 * Resolves `true` after `ms` milliseconds, or `false` as soon as `signal` aborts (at once if it already has).
 * Never rejects. The abort listener is removed when the timer fires, so a long-lived signal shared by many
 * short sleeps (a shutdown signal) does not collect listeners.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
