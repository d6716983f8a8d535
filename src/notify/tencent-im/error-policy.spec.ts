import { errorAction } from './error-policy';

describe('IM error-code policy', () => {
  it.each([10002, 60008, 70169, 70500])('retries transient error %i', (code) => {
    expect(errorAction(code)).toEqual({ kind: 'retry' });
  });

  it.each([60007, 60011, 60018, 60019, 10006, 10023])('retries frequency limit %i after about a second', (code) => {
    expect(errorAction(code)).toEqual({ kind: 'retry', retryAfterMs: 1000 });
  });

  it.each([10010, 10015, 10004, 10007, 60010, 70009, 80002])('gives up on permanent error %i', (code) => {
    expect(errorAction(code)).toEqual({ kind: 'permanent' });
  });

  it('renews the signature on an expired UserSig', () => {
    expect(errorAction(70001)).toEqual({ kind: 'renew-signature' });
  });

  it('waits a minute after verification lockout, and retries unknown codes', () => {
    expect(errorAction(70050)).toEqual({ kind: 'retry', retryAfterMs: 60000 });
    expect(errorAction(123456)).toEqual({ kind: 'retry' });
  });
});
