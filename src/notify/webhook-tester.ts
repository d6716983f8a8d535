import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AxiosError, AxiosInstance } from 'axios';
import { rawHttpClient } from '../common/raw-http';
import { ConfigSection, InjectConfig } from '../config/sections';
import { webhookLaneName } from './notify.module';
import { WebhookSigner } from './webhook-signature';

/** The body of a test event: the `type` tells receivers it changes nothing. */
export interface WebhookTestEvent {
  id: string;
  type: 'webhook.test';
  /** Epoch milliseconds when it was sent. */
  at: number;
}

/** How one configured URL answered the test event. */
export interface WebhookTestResult {
  /** The lane name of the URL (`webhook-` + 8 hex digits of its SHA-256), as in metrics and dead letters. */
  destination: string;
  /** The URL without credentials, query or fragment. */
  url: string;
  /** True for a 2xx answer. */
  ok: boolean;
  /** HTTP status, or null when no answer came. */
  status: number | null;
  /** Milliseconds from sending to the answer (or the failure). */
  tookMs: number;
  /** The first BODY_EXCERPT_CHARS characters of the answer's body. */
  body: string;
  /** Why no answer came (time-out, refused connection…), else null. */
  error: string | null;
}

export const BODY_EXCERPT_CHARS = 500;

/**
 * Sends one signed `webhook.test` event to every WEBHOOK_URLS entry at once and reports each answer, as payment
 * and streaming platforms' "send test webhook" buttons do: the way to check a receiver's URL and its Standard
 * Webhooks verification before the first live ends. Not written to the outbox, never retried.
 */
@Injectable()
export class WebhookTester {
  private readonly http: AxiosInstance;
  private readonly signer: WebhookSigner | null;

  constructor(@InjectConfig('notify') private readonly env: ConfigSection<'notify'>) {
    const enabled = env.NOTIFIERS.includes('webhook');
    this.signer = enabled ? new WebhookSigner(env.WEBHOOK_SECRET) : null;
    this.http = rawHttpClient({ timeoutMs: env.WEBHOOK_TIMEOUT_MS, keepAlive: false, textResponse: true });
  }

  /** Whether any webhook URL is configured (NOTIFIERS includes `webhook`). */
  get configured(): boolean {
    return this.signer !== null;
  }

  /** One result per URL, in WEBHOOK_URLS order. */
  async sendTestEvents(now = Date.now()): Promise<WebhookTestResult[]> {
    if (!this.signer) return [];
    return Promise.all(this.env.WEBHOOK_URLS.map((url) => this.send(url, now)));
  }

  private async send(url: string, now: number): Promise<WebhookTestResult> {
    const event: WebhookTestEvent = { id: `test-${randomUUID()}`, type: 'webhook.test', at: now };
    const body = JSON.stringify(event);
    const result = { destination: webhookLaneName(url), url: shown(url) };
    const started = Date.now();
    try {
      const response = await this.http.post(url, body, {
        headers: { 'content-type': 'application/json', 'user-agent': 'live-end-detector', ...this.signer!.headers(event.id, body) },
      });
      const text = typeof response.data === 'string' ? response.data : '';
      const ok = response.status >= 200 && response.status < 300;
      return { ...result, ok, status: response.status, tookMs: Date.now() - started, body: text.slice(0, BODY_EXCERPT_CHARS), error: null };
    } catch (err) {
      const code = (err as AxiosError).code ?? 'network';
      const error =
        code === 'ECONNABORTED' || code === 'ETIMEDOUT' ? `no answer within WEBHOOK_TIMEOUT_MS (${this.env.WEBHOOK_TIMEOUT_MS} ms)` : code;
      return { ...result, ok: false, status: null, tookMs: Date.now() - started, body: '', error };
    }
  }
}

function shown(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}
