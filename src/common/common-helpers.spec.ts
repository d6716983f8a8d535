import { backoffDelay } from './backoff';
import { parseRetryAfter } from './retry-after';
import { sleep } from './sleep';

describe('backoffDelay (full jitter)', () => {
  it('draws from 0 up to base · 2^(attempt−1), capped', () => {
    expect(backoffDelay(1, 100, 5000, () => 0.999999)).toBe(100);
    expect(backoffDelay(4, 100, 5000, () => 0.5)).toBe(400);
    expect(backoffDelay(20, 100, 5000, () => 0.999999)).toBe(5000);
    expect(backoffDelay(20, 100, 5000, () => 0)).toBe(0);
    expect(backoffDelay(5000, 100, 5000, () => 0.5)).toBe(2500);
  });
});

describe('parseRetryAfter (RFC 9110 §10.2.3)', () => {
  const now = Date.parse('2026-11-30T08:00:00Z');
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });
  it('reads an HTTP-date in each of its three forms', () => {
    expect(parseRetryAfter('Mon, 30 Nov 2026 08:00:30 GMT', now)).toBe(30000);
    expect(parseRetryAfter('Monday, 30-Nov-26 08:01:00 GMT', now)).toBe(60000);
    expect(parseRetryAfter('Mon Nov 30 08:00:05 2026', now)).toBeGreaterThanOrEqual(0);
  });
  it('treats a date in the past as now, and rejects what is neither form', () => {
    expect(parseRetryAfter('Mon, 30 Nov 2026 07:00:00 GMT', now)).toBe(0);
    for (const bad of [undefined, '', '-5', '1.5', 'soon', 'Mon, 99 Foo 2026']) expect(parseRetryAfter(bad, now)).toBeUndefined();
  });
});

describe('sleep', () => {
  it('resolves true after the delay, false at once when aborted', async () => {
    expect(await sleep(1)).toBe(true);
    const stop = new AbortController();
    const pending = sleep(60000, stop.signal);
    stop.abort();
    expect(await pending).toBe(false);
    expect(await sleep(60000, stop.signal)).toBe(false);
  });
});
