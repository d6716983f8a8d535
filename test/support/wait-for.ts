import { sleep } from '../../src/common/sleep';

/** Polls `probe` until it returns a truthy value or `timeoutMs` passes. */
type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

export async function waitFor<T>(probe: () => T | Promise<T>, timeoutMs = 10000, what = 'condition'): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

export { sleep } from '../../src/common/sleep';
