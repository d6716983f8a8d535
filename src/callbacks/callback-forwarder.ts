import { AxiosError, AxiosInstance } from 'axios';
import { rawHttpClient } from '../common/raw-http';

/** What the business's callback URL answered, passed back to Tencent IM as is. */
export interface ForwardedAnswer {
  status: number;
  /** The answer's bytes, unparsed. */
  body: string;
  contentType: string | undefined;
  /** Milliseconds from sending to the complete answer. */
  tookMs: number;
}

/** The business's callback URL gave no answer in time (`timeout`) or could not be reached (`network`). */
export class CallbackForwardError extends Error {
  constructor(
    message: string,
    readonly reason: 'timeout' | 'network',
  ) {
    super(message);
    this.name = 'CallbackForwardError';
  }
}

/**
 * Relays a Tencent IM third-party callback to the business's own callback URL (an IM app has only one), so
 * both services receive every callback: the same query string (SdkAppid, CallbackCommand, Sign, RequestTime…
 * so the business verifies IM's Sign with its own token) and the same body bytes, over kept-alive connections.
 * Protocol: https://cloud.tencent.com/document/product/269/1522 (IM waits 2 s for an answer, hence the short timeout).
 */
export class CallbackForwarder {
  private readonly http: AxiosInstance;

  /**
   * @param url the business's callback URL; its own query parameters, if any, come before IM's
   * @param timeoutMs how long to wait for the whole answer (below IM's 2 s, so IM still hears from us)
   */
  constructor(
    private readonly url: string,
    timeoutMs: number,
  ) {
    // Bytes in, bytes out: no JSON round trip on either side.
    this.http = rawHttpClient({ timeoutMs, textResponse: true });
  }

  /**
   * POSTs `body` with IM's `query` (the raw query string, without `?`).
   * @throws CallbackForwardError when no answer came within the timeout or the URL is unreachable
   */
  async forward(query: string, body: string, contentType: string | undefined): Promise<ForwardedAnswer> {
    const target = query ? `${this.url}${this.url.includes('?') ? '&' : '?'}${query}` : this.url;
    const started = Date.now();
    try {
      const response = await this.http.post(target, body, {
        headers: { 'user-agent': 'live-end-detector', ...(contentType ? { 'content-type': contentType } : {}) },
      });
      const answerType = response.headers['content-type'];
      return {
        status: response.status,
        body: typeof response.data === 'string' ? response.data : String(response.data ?? ''),
        contentType: typeof answerType === 'string' ? answerType : undefined,
        tookMs: Date.now() - started,
      };
    } catch (err) {
      // Only the code: the URL may carry IM's Sign.
      const code = (err as AxiosError).code ?? 'network';
      const timedOut = code === 'ECONNABORTED' || code === 'ETIMEDOUT';
      throw new CallbackForwardError(
        `business callback URL ${timedOut ? 'did not answer in time' : `unreachable (${code})`}`,
        timedOut ? 'timeout' : 'network',
      );
    }
  }
}
