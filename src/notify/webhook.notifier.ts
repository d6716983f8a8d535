import { AxiosError, AxiosInstance } from 'axios';
import { rawHttpClient } from '../common/raw-http';
import type { LiveEvent } from '../events/live-event';
import { parseRetryAfter } from '../common/retry-after';
import { DeliveryError, Notifier } from './notifier';
import type { WebhookSigner } from './webhook-signature';

/**
 * POSTs each event as JSON to one business-backend URL, signed as Standard Webhooks say (`webhook-id` = the
 * event id, the receiver's idempotency key; `webhook-timestamp`; `webhook-signature`).
 * 5xx, 408, 429, 3xx (a redirect: not followed, as the signature names this URL; reported as such),
 * time-outs and network errors are worth retrying; any other 4xx is not. The events of one live are
 * sent in seq order (its lane is ordered).
 */
export class WebhookNotifier implements Notifier {
  readonly ordered = true;
  /** The URL's origin: what logs and the admin API show (a path or query may hold a token). */
  readonly describe: string;
  private readonly http: AxiosInstance;

  constructor(
    readonly name: string,
    private readonly url: string,
    private readonly signer: WebhookSigner,
    timeoutMs: number,
  ) {
    this.describe = `webhook ${new URL(url).origin}`;
    // Send exactly the bytes we signed.
    this.http = rawHttpClient({ timeoutMs });
  }

  wants(): boolean {
    return true;
  }

  async deliver(event: LiveEvent, signal?: AbortSignal): Promise<void> {
    const body = JSON.stringify(event);
    let status: number;
    let retryAfter: string | undefined;
    let location: string | undefined;
    try {
      const response = await this.http.post(this.url, body, {
        headers: {
          'content-type': 'application/json',
          'user-agent': 'live-end-detector',
          ...this.signer.headers(event.id, body),
        },
        signal,
      });
      status = response.status;
      retryAfter = response.headers['retry-after'];
      location = response.headers['location'];
    } catch (err) {
      const code = (err as AxiosError).code ?? 'network';
      throw new DeliveryError(`${this.name}: ${code}`, true, code, undefined, 'network');
    }
    if (status >= 200 && status < 300) return;
    if (status >= 300 && status < 400) {
      const to = location ? ` to ${safeOrigin(location, this.url)}` : '';
      throw new DeliveryError(
        `${this.name}: HTTP ${status} redirect${to} (not followed: set WEBHOOK_URLS to the final URL)`,
        true,
        status,
        parseRetryAfter(retryAfter),
        'redirect',
      );
    }
    const retryable = status >= 500 || status === 408 || status === 429;
    throw new DeliveryError(`${this.name}: HTTP ${status}`, retryable, status, parseRetryAfter(retryAfter), 'http');
  }
}

/** The origin and path a redirect points to, without its query (which may hold a token). */
function safeOrigin(location: string, base: string): string {
  try {
    const target = new URL(location, base);
    return target.origin + target.pathname;
  } catch {
    return 'an unreadable Location';
  }
}
