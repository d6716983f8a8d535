import { createHash } from 'node:crypto';

/**
 * Sends Tencent IM third-party callbacks to the service the way IM does (https://cloud.tencent.com/document/product/269/1522):
 * POST, JSON body, the documented query parameters, and with callback authentication on,
 * `Sign = hex(sha256(token + RequestTime))` with `RequestTime` in Unix seconds.
 */
export class ImCallbackSender {
  constructor(
    private readonly baseUrl: () => string,
    private readonly sdkAppId: string,
    private readonly token: string,
  ) {}

  /** The query string IM appends for `command`. */
  query(command: string, requestTime = Math.floor(Date.now() / 1000)): string {
    const sign = createHash('sha256').update(this.token + String(requestTime)).digest('hex');
    const params = new URLSearchParams({
      SdkAppid: this.sdkAppId, CallbackCommand: command, contenttype: 'json', ClientIP: '10.0.0.1', OptPlatform: 'Android',
      Sign: sign, RequestTime: String(requestTime),
    });
    return `/v1/callbacks/tencent-im?${params}`;
  }

  /** A State.StateChange for `account` (Action Login|Logout|Disconnect, Reason as IM documents it); resolves with the HTTP status. */
  async stateChange(account: string, action: 'Login' | 'Logout' | 'Disconnect', reason: string, eventTime: number): Promise<number> {
    const body = { CallbackCommand: 'State.StateChange', EventTime: eventTime, Info: { Action: action, To_Account: account, Reason: reason } };
    const response = await fetch(this.baseUrl() + this.query('State.StateChange'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(2000), // IM gives up after 2 s and does not retry
    });
    await response.arrayBuffer();
    return response.status;
  }
}

/** The documented State.StateChange reasons of each action. */
export const IM_REASON = { Login: 'Register', Logout: 'Unregister', Disconnect: 'LinkClose' } as const;
