import { createHmac } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { webhookSecretProblem, WebhookSigner } from './webhook-signature';

const key = (text: string) => Buffer.from(text.padEnd(32, '.'));
const secretOf = (text: string) => `whsec_${key(text).toString('base64')}`;

describe('Standard Webhooks signature', () => {
  const current = secretOf('current-secret');
  const previous = secretOf('previous-secret');
  const body = '{"id":"L1:3","type":"live.ended"}';

  it('is v1, base64 HMAC-SHA256 of "<id>.<timestamp>.<body>" keyed by the decoded whsec_ secret', () => {
    const headers = new WebhookSigner([current]).headers('L1:3', body, 1700000000_999);
    const expected = createHmac('sha256', key('current-secret')).update(`L1:3.1700000000.${body}`).digest('base64');
    expect(headers).toEqual({ 'webhook-id': 'L1:3', 'webhook-timestamp': '1700000000', 'webhook-signature': `v1,${expected}` });
  });

  it('verifies with the reference library under each rotated secret, and fails when id, body or time are changed', () => {
    const headers = new WebhookSigner([current, previous]).headers('L1:3', body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    for (const secret of [current, previous]) expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));

    const reject = (secret: string, payload: string, h: Record<string, string>) =>
      expect(() => new Webhook(secret).verify(payload, h)).toThrow(WebhookVerificationError);
    reject(secretOf('someone-else'), body, headers);
    reject(current, body.replace('L1', 'L2'), headers);
    reject(current, body, { ...headers, 'webhook-id': 'L1:4' }); // the idempotency key is signed
    const stale = new WebhookSigner([current]).headers('L1:3', body, Date.now() - 301_000);
    reject(current, body, stale);
  });

  it('names what is wrong with a secret without showing it', () => {
    expect(webhookSecretProblem(current)).toBeNull();
    expect(webhookSecretProblem('a-plain-secret-of-thirty-two-chars')).toContain('whsec_');
    expect(webhookSecretProblem('whsec_not base64!')).toContain('base64');
    expect(webhookSecretProblem(`whsec_${Buffer.alloc(16).toString('base64')}`)).toContain('24 to 64 bytes (got 16)');
    expect(() => new WebhookSigner([])).toThrow('at least one');
  });
});
