import { backoffDelay, parseRetryAfter } from '../src/backoff';

describe('backoff and Retry-After', () => {
  it('doubles the step per attempt, stays within [step/2, step] and under the cap', () => {
    expect(backoffDelay(1, 200, 5000, () => 0)).toBe(100);
    expect(backoffDelay(1, 200, 5000, () => 1)).toBe(200);
    expect(backoffDelay(3, 200, 5000, () => 1)).toBe(800);
    expect(backoffDelay(20, 200, 5000, () => 1)).toBe(5000);
    expect(backoffDelay(20, 200, 5000, () => 0)).toBe(2500);
  });

  it('reads delay-seconds and HTTP dates, and ignores what it cannot read', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(10_000 + 3000).toUTCString(), 10_000)).toBe(3000);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
  });
});
