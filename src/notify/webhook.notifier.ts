import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import axios, { AxiosError, AxiosInstance } from 'axios';
import type { LiveEvent } from '../events/live-event';
import { DeliveryError, Notifier } from './notifier';
import type { WebhookSigner } from './webhook-signature';

/**
 * POSTs each event as JSON to one business-backend URL, signed as Standard Webhooks say (`webhook-id` = the
 * event id, the receiver's idempotency key; `webhook-timestamp`; `webhook-signature`).
 * 5xx, 408, 429, time-outs and network errors are worth retrying; any other 4xx is not.
 */
export class WebhookNotifier implements Notifier {
  private readonly http: AxiosInstance;

  constructor(
    readonly name: string,
    private readonly url: string,
    private readonly signer: WebhookSigner,
    timeoutMs: number,
  ) {
    this.http = axios.create({
      timeout: timeoutMs,
      httpAgent: new HttpAgent({ keepAlive: true }),
      httpsAgent: new HttpsAgent({ keepAlive: true }),
      maxRedirects: 0,
      validateStatus: () => true,
      // Send exactly the bytes we signed.
      transformRequest: [(data: string) => data],
    });
  }

  wants(): boolean {
    return true;
  }

  async deliver(event: LiveEvent): Promise<void> {
    const body = JSON.stringify(event);
    let status: number;
    let retryAfter: string | undefined;
    try {
      const response = await this.http.post(this.url, body, {
        headers: {
          'content-type': 'application/json',
          'user-agent': 'live-end-detector',
          ...this.signer.headers(event.id, body),
        },
      });
      status = response.status;
      retryAfter = response.headers['retry-after'];
    } catch (err) {
      const code = (err as AxiosError).code ?? 'network';
      throw new DeliveryError(`${this.name}: ${code}`, true, code);
    }
    if (status >= 200 && status < 300) return;
    const retryable = status >= 500 || status === 408 || status === 429;
    throw new DeliveryError(`${this.name}: HTTP ${status}`, retryable, status, parseRetryAfter(retryAfter));
  }
}

function parseRetryAfter(value: string | undefined): number | undefined {
  const seconds = Number(value);
  return value && Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}
