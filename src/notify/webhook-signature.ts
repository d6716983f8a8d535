import { Webhook } from 'standardwebhooks';

/**
 * Standard Webhooks (https://www.standardwebhooks.com, spec: github.com/standard-webhooks/standard-webhooks,
 * `spec/standard-webhooks.md`): the three headers every webhook carries. The id is the event id, so it is
 * the receiver's idempotency key, and it is signed.
 */
export const WEBHOOK_ID_HEADER = 'webhook-id';
/** Unix seconds of this attempt; receivers refuse one more than five minutes off (replay protection). */
export const WEBHOOK_TIMESTAMP_HEADER = 'webhook-timestamp';
/** Space-separated `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, one per configured secret. */
export const WEBHOOK_SIGNATURE_HEADER = 'webhook-signature';

const SECRET_PREFIX = 'whsec_';
/** The spec's key sizes: at least 24 and at most 64 random bytes. */
export const WEBHOOK_SECRET_MIN_BYTES = 24;
export const WEBHOOK_SECRET_MAX_BYTES = 64;

/**
 * Why `secret` is not a usable Standard Webhooks secret (`whsec_` + base64 of 24–64 bytes), or null when it is.
 * The message never contains the secret.
 */
export function webhookSecretProblem(secret: string): string | null {
  if (!secret.startsWith(SECRET_PREFIX)) return `must start with ${SECRET_PREFIX} (Standard Webhooks secret)`;
  const base64 = secret.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) return `must be ${SECRET_PREFIX} followed by standard base64`;
  const bytes = Buffer.from(base64, 'base64').length;
  if (bytes < WEBHOOK_SECRET_MIN_BYTES || bytes > WEBHOOK_SECRET_MAX_BYTES)
    return `must encode ${WEBHOOK_SECRET_MIN_BYTES} to ${WEBHOOK_SECRET_MAX_BYTES} bytes (got ${bytes})`;
  return null;
}

/**
 * Signs webhook requests with every configured secret, so receivers keep verifying while a secret is rotated
 * (add the new one, let receivers switch, then drop the old one). Signing is done by the reference library
 * `standardwebhooks`, the one receivers are told to verify with.
 */
export class WebhookSigner {
  private readonly keys: Webhook[];

  /** @param secrets `whsec_…` secrets, newest first; throws on an empty list or a malformed secret. */
  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new Error('at least one webhook secret is required');
    for (const secret of secrets) {
      const problem = webhookSecretProblem(secret);
      if (problem) throw new Error(`webhook secret ${problem}`);
    }
    this.keys = secrets.map((secret) => new Webhook(secret));
  }

  /**
   * The three Standard Webhooks headers for one attempt.
   * @param id the event id (stable across retries: the receiver's idempotency key)
   * @param body the exact bytes sent
   * @param nowMs the attempt's time, epoch milliseconds (the header carries whole seconds)
   */
  headers(id: string, body: string, nowMs = Date.now()): Record<string, string> {
    const timestamp = new Date(Math.floor(nowMs / 1000) * 1000);
    return {
      [WEBHOOK_ID_HEADER]: id,
      [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp.getTime() / 1000),
      [WEBHOOK_SIGNATURE_HEADER]: this.keys.map((key) => key.sign(id, timestamp, body)).join(' '),
    };
  }
}
