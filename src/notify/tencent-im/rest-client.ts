import { randomInt } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import axios, { AxiosError, AxiosInstance } from 'axios';
import type { UserSigCache } from './usersig';

/** What every IM REST answer carries; the HTTP status is 200 even when the call failed. */
export interface ImReply {
  ActionStatus: 'OK' | 'FAIL';
  ErrorCode: number;
  ErrorInfo: string;
  [field: string]: unknown;
}

/** The call never got an IM answer (network, time-out, non-200, not JSON): worth retrying. */
export class ImTransportError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/**
 * Calls `v4/<service>/<command>` as the admin account over kept-alive connections (a TLS handshake
 * per call is what makes IM calls slow). The UserSig goes in the query string and is never logged.
 */
export class ImRestClient {
  private readonly http: AxiosInstance;

  constructor(
    baseUrl: string,
    private readonly sdkAppId: number,
    private readonly admin: string,
    private readonly userSig: UserSigCache,
    timeoutMs: number,
  ) {
    this.http = axios.create({
      baseURL: baseUrl.replace(/\/+$/, ''),
      timeout: timeoutMs,
      httpAgent: new HttpAgent({ keepAlive: true }),
      httpsAgent: new HttpsAgent({ keepAlive: true }),
      maxRedirects: 0,
      validateStatus: () => true,
      headers: { 'content-type': 'application/json', 'user-agent': 'live-end-detector' },
    });
  }

  /**
   * One REST call. `signal` aborts it (the delivery was handed back or the process stops).
   * @throws ImTransportError when no IM answer came (network, time-out, abort, non-200, not JSON)
   */
  async call(path: string, body: object, signal?: AbortSignal): Promise<ImReply> {
    const params = {
      sdkappid: this.sdkAppId,
      identifier: this.admin,
      usersig: this.userSig.get(),
      // The URL's random only identifies the request; de-duplication uses the body's Random.
      random: randomInt(0, 2 ** 32 - 1),
      contenttype: 'json',
    };
    let status: number;
    let data: unknown;
    try {
      ({ status, data } = await this.http.post(`/${path}`, body, { params, signal }));
    } catch (err) {
      // Only the code: axios errors carry the request URL, which holds the UserSig.
      const code = (err as AxiosError).code ?? 'network';
      throw new ImTransportError(`IM request failed: ${code}`, code);
    }
    if (status !== 200) throw new ImTransportError(`IM answered HTTP ${status}`, `HTTP ${status}`);
    const reply = data as Partial<ImReply> | null;
    if (!reply || typeof reply !== 'object' || typeof reply.ErrorCode !== 'number')
      throw new ImTransportError('IM answer is not an IM reply', 'bad-reply');
    return reply as ImReply;
  }
}
