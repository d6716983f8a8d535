import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhook } from './webhook-signature';

describe('webhook signature', () => {
  const secret = 'webhook-secret-for-tests';
  const body = '{"id":"L1:3","type":"live.ended"}';

  it('is the hex HMAC-SHA256 of "<timestamp>.<body>"', () => {
    const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    expect(signWebhook(secret, 1700000000, body)).toBe(`sha256=${expected}`);
  });

  it('verifies a fresh signature and refuses a stale, altered or foreign one', () => {
    const now = 1700000000;
    const signature = signWebhook(secret, now, body);
    expect(verifyWebhook(secret, String(now), body, signature, 300, now + 10)).toBe(true);
    expect(verifyWebhook(secret, String(now), body, signature, 300, now + 301)).toBe(false);
    expect(verifyWebhook(secret, String(now), body.replace('L1', 'L2'), signature, 300, now)).toBe(false);
    expect(verifyWebhook('another-secret', String(now), body, signature, 300, now)).toBe(false);
    expect(verifyWebhook(secret, undefined, body, signature, 300, now)).toBe(false);
  });
});
