import { createHash } from 'node:crypto';
import { createServer, IncomingHttpHeaders, request as httpRequest, Server } from 'node:http';
import { AddressInfo } from 'node:net';

export interface CallbackOptions {
  token?: string;
  sdkAppId?: string;
  /** IM's documented sample request has no Content-Type; set one to send it. */
  contentType?: string;
  requestTime?: number;
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: any;
  tookMs: number;
}

/**
 * Posts a third-party callback the way Tencent IM does (https://cloud.tencent.com/document/product/269/1522):
 * query string SdkAppid, CallbackCommand, contenttype, ClientIP, OptPlatform, and with a token Sign =
 * hex sha256(token + RequestTime) and RequestTime; the body raw JSON bytes; headers only Host and Content-Length
 * as in the documentation's sample request, unless a Content-Type is given.
 */
export function sendImCallback(baseUrl: string, command: string, body: string | object, opts: CallbackOptions = {}): Promise<HttpAnswer> {
  const params = new URLSearchParams({
    SdkAppid: opts.sdkAppId ?? '1400000000',
    CallbackCommand: command,
    contenttype: 'json',
    ClientIP: '10.0.0.1',
    OptPlatform: 'Android',
  });
  if (opts.token) {
    const requestTime = String(opts.requestTime ?? Math.floor(Date.now() / 1000));
    params.set(
      'Sign',
      createHash('sha256')
        .update(opts.token + requestTime)
        .digest('hex'),
    );
    params.set('RequestTime', requestTime);
  }
  const bytes = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const url = new URL(`/v1/callbacks/tencent-im?${params}`, baseUrl.replace('[::1]', '127.0.0.1'));
  const headers: Record<string, string | number> = { 'content-length': bytes.length };
  if (opts.contentType) headers['content-type'] = opts.contentType;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: safeParse(text), tookMs: Date.now() - started }),
      );
    });
    req.on('error', reject);
    req.end(bytes);
  });
}

export interface ReceivedCallback {
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

interface ScriptedAnswer {
  status?: number;
  body?: string;
  delayMs?: number;
}

/**
 * The business's own IM callback endpoint: records each callback and answers as a business backend does,
 * HTTP 200 with IM's form `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`, or what a test scripts
 * (a refusal of a before-callback, an error status, slowness).
 */
export class BusinessCallbackReceiver {
  readonly received: ReceivedCallback[] = [];
  private scripted: ScriptedAnswer[] = [];
  private server: Server;

  static async start(): Promise<BusinessCallbackReceiver> {
    const receiver = new BusinessCallbackReceiver();
    receiver.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const query = new URL(req.url ?? '/', 'http://business').searchParams;
        receiver.received.push({ query, headers: req.headers, body, at: Date.now() });
        const answer = receiver.scripted.shift() ?? {};
        setTimeout(() => {
          if (res.destroyed) return;
          res.writeHead(answer.status ?? 200, { 'content-type': 'application/json; charset=utf-8' });
          res.end(answer.body ?? JSON.stringify({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 }));
        }, answer.delayMs ?? 0);
      });
    });
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/im/callback`;
  }

  /** The next callbacks are answered like this, in order (then OK). */
  answerNext(...answers: ScriptedAnswer[]): void {
    this.scripted.push(...answers);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The documented State.StateChange reasons of each action (https://cloud.tencent.com/document/product/269/2570). */
export const IM_REASON = { Login: 'Register', Logout: 'Unregister', Disconnect: 'LinkClose' } as const;

/** Sends State.StateChange callbacks for one service (whose address may change across restarts), signed with `token`. */
export class ImCallbackSender {
  constructor(
    private readonly baseUrl: () => string,
    private readonly sdkAppId: string,
    private readonly token: string,
  ) {}

  /** `Action` as IM names it, `Reason` as IM documents it, `EventTime` in epoch ms; resolves with the HTTP status. */
  async stateChange(account: string, action: 'Login' | 'Logout' | 'Disconnect', reason: string, eventTime: number): Promise<number> {
    const body = {
      CallbackCommand: 'State.StateChange',
      EventTime: eventTime,
      Info: { Action: action, To_Account: account, Reason: reason },
    };
    const answer = await sendImCallback(this.baseUrl(), 'State.StateChange', body, {
      token: this.token,
      sdkAppId: this.sdkAppId,
      contentType: 'application/json',
    });
    return answer.status;
  }
}
