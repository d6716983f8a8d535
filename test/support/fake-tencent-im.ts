import { createHmac } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { inflateSync } from 'node:zlib';

export interface GroupMessage {
  groupId: string;
  random: number;
  priority: string;
  body: any;
  /** Parsed Data of the custom element. */
  data: any;
  usersig: string;
  /** The app's send-message callbacks this message skips (ForbidCallbackControl): before, after. */
  skipsCallbacks: string[];
  at: number;
}

interface Answer {
  code?: number;
  httpStatus?: number;
  delayMs?: number;
}

const DEDUP_WINDOW_MS = 5 * 60 * 1000;
const PRIORITIES = ['High', 'Normal', 'Low', 'Lowest'];
const ELEMENT_TYPES = [
  'TIMTextElem',
  'TIMCustomElem',
  'TIMLocationElem',
  'TIMFaceElem',
  'TIMSoundElem',
  'TIMImageElem',
  'TIMFileElem',
  'TIMVideoFileElem',
];

/**
 * A local stand-in for the Tencent Cloud IM REST API's send_group_msg, written from the public
 * documentation: checks the query parameters, verifies the UserSig (TLSSigAPIv2) with the app key,
 * checks the body, drops a repeated Random within five minutes, and answers HTTP 200 with
 * ActionStatus/ErrorCode. Tests can script error codes, slowness and a rate limit.
 */
export class FakeTencentIm {
  readonly messages: GroupMessage[] = [];
  /** Every request as received, with the ErrorCode it was answered. */
  readonly requests: Array<{ path: string; query: URLSearchParams; body: any; errorCode: number; at: number }> = [];
  readonly duplicates: GroupMessage[] = [];
  /** Each group's attributes (modify_group_attr), as a viewer app's getGroupAttributes would read them. */
  readonly groupAttributes = new Map<string, Map<string, string>>();
  private readonly attributeWrites = new Map<string, number[]>();
  private scripted: Answer[] = [];
  /** Groups that do not exist: 10015. */
  readonly missingGroups = new Set<string>();
  /** UserSigs issued at or before this time (seconds) are answered 70001, as if they had expired. */
  expiredUpTo = 0;
  /** When set, more calls than this in one second are answered 60007. */
  ratePerSec: number | null = null;
  private readonly seenRandoms = new Map<string, number>();
  private server: Server;

  constructor(
    readonly sdkAppId: number,
    private readonly key: string,
    readonly admin = 'administrator',
  ) {}

  static async start(sdkAppId: number, key: string, admin?: string): Promise<FakeTencentIm> {
    const fake = new FakeTencentIm(sdkAppId, key, admin);
    fake.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk) => (raw += chunk));
      req.on('end', () => {
        const { status, reply, delayMs } = fake.handle(req.method ?? '', req.url ?? '/', raw);
        setTimeout(() => {
          if (!res.destroyed) res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
        }, delayMs);
      });
    });
    fake.server.keepAliveTimeout = 60000;
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The next requests are answered like this, in order (then normally). */
  answerNext(...answers: Answer[]): void {
    this.scripted.push(...answers);
  }

  reset(): void {
    this.messages.length = 0;
    this.requests.length = 0;
    this.duplicates.length = 0;
    this.groupAttributes.clear();
    this.attributeWrites.clear();
    this.scripted = [];
    this.missingGroups.clear();
    this.expiredUpTo = 0;
    this.ratePerSec = null;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(method: string, rawUrl: string, raw: string): { status: number; reply: object; delayMs: number } {
    const url = new URL(rawUrl, 'http://fake');
    const query = url.searchParams;
    let body: any = null;
    try {
      body = JSON.parse(raw);
    } catch {
      /* checked below */
    }
    const now = Date.now();
    const scripted = this.scripted.shift() ?? {};
    const answer = (errorCode: number, extra: object = {}) => {
      this.requests.push({ path: url.pathname, query, body, errorCode, at: now });
      const reply = {
        ActionStatus: errorCode === 0 ? 'OK' : 'FAIL',
        ErrorCode: errorCode,
        ErrorInfo: errorCode === 0 ? '' : `error ${errorCode}`,
        ...extra,
      };
      return { status: scripted.httpStatus ?? 200, reply, delayMs: scripted.delayMs ?? 0 };
    };

    // A gateway failure: the request never reached the IM service.
    if (scripted.httpStatus) return answer(-1);
    if (method !== 'POST') return answer(60002);
    const attrs = url.pathname === '/v4/group_open_http_svc/modify_group_attr';
    if (url.pathname !== '/v4/group_open_http_svc/send_group_msg' && !attrs) return answer(60009);
    if (query.get('contenttype') !== 'json') return answer(60025);
    if (!query.get('sdkappid')) return answer(60012);
    if (query.get('sdkappid') !== String(this.sdkAppId)) return answer(60006);
    const random = Number(query.get('random'));
    if (!/^\d+$/.test(query.get('random') ?? '') || random > 0xffffffff) return answer(60025);
    const sigError = this.checkUserSig(query.get('identifier'), query.get('usersig'), now);
    if (sigError) return answer(sigError);
    if (!body) return answer(60003);
    if (this.ratePerSec !== null) {
      const lastSecond = this.requests.filter((r) => r.at > now - 1000 && r.errorCode !== 60007).length;
      if (lastSecond >= this.ratePerSec) return answer(60007);
    }
    if (scripted.code !== undefined) return answer(scripted.code);
    if (attrs) return answer(this.modifyGroupAttr(body, now));
    const shapeError = checkBody(body);
    if (shapeError) return answer(shapeError);
    if (this.missingGroups.has(body.GroupId)) return answer(10015);

    const custom = body.MsgBody.find((e: any) => e.MsgType === 'TIMCustomElem');
    const message: GroupMessage = {
      groupId: body.GroupId,
      random: body.Random,
      priority: body.MsgPriority ?? 'Normal',
      body,
      data: custom ? JSON.parse(custom.MsgContent.Data) : null,
      usersig: query.get('usersig')!,
      at: now,
      skipsCallbacks: (body.ForbidCallbackControl ?? []).map((f: string) => (f === 'ForbidBeforeSendMsgCallback' ? 'before' : 'after')),
    };
    // The documented de-duplication: same Random within five minutes → the later one is discarded.
    // Whether it answers OK or an error is not documented; this fake answers OK.
    const dedupKey = `${body.GroupId}/${body.Random}`;
    const seen = this.seenRandoms.get(dedupKey);
    if (seen !== undefined && now - seen < DEDUP_WINDOW_MS) {
      this.duplicates.push(message);
      return answer(0, { MsgTime: Math.floor(now / 1000), MsgSeq: 0 });
    }
    this.seenRandoms.set(dedupKey, now);
    this.messages.push(message);
    return answer(0, { MsgTime: Math.floor(now / 1000), MsgSeq: this.messages.length });
  }

  /**
   * modify_group_attr as documented (https://cloud.tencent.com/document/product/269/44188 and the group attribute
   * limits): keys of at most 32 bytes, at most 16 per group, values of at most 4 KB, 16 KB in all, and at most 5
   * writes per group per second (10049).
   */
  private modifyGroupAttr(body: any, now: number): number {
    if (typeof body.GroupId !== 'string' || !Array.isArray(body.GroupAttr) || body.GroupAttr.length === 0) return 10004;
    if (this.missingGroups.has(body.GroupId)) return 10015;
    const writes = (this.attributeWrites.get(body.GroupId) ?? []).filter((t) => t > now - 1000);
    if (writes.length >= 5) return 10049;
    const current = new Map(this.groupAttributes.get(body.GroupId) ?? []);
    for (const attr of body.GroupAttr) {
      if (typeof attr?.key !== 'string' || typeof attr.value !== 'string') return 10004;
      if (Buffer.byteLength(attr.key) > 32 || Buffer.byteLength(attr.value) > 4096) return 10004;
      current.set(attr.key, attr.value);
    }
    const total = [...current].reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
    if (current.size > 16 || total > 16 * 1024) return 10004;
    this.groupAttributes.set(body.GroupId, current);
    this.attributeWrites.set(body.GroupId, [...writes, now]);
    return 0;
  }

  /** TLSSigAPIv2 verification: unescape, base64, inflate, recompute the HMAC, check expiry. */
  private checkUserSig(identifier: string | null, usersig: string | null, now: number): number {
    if (!usersig) return 70002;
    if (identifier !== this.admin) return 60010;
    let doc: any;
    try {
      const base64 = usersig.replace(/_/g, '=').replace(/-/g, '/').replace(/\*/g, '+');
      doc = JSON.parse(inflateSync(Buffer.from(base64, 'base64')).toString('utf8'));
    } catch {
      return 70003;
    }
    if (doc['TLS.ver'] !== '2.0') return 70003;
    if (doc['TLS.identifier'] !== identifier) return 70013;
    if (doc['TLS.sdkappid'] !== this.sdkAppId) return 70014;
    const content =
      `TLS.identifier:${doc['TLS.identifier']}\nTLS.sdkappid:${doc['TLS.sdkappid']}\n` +
      `TLS.time:${doc['TLS.time']}\nTLS.expire:${doc['TLS.expire']}\n`;
    if (createHmac('sha256', this.key).update(content).digest('base64') !== doc['TLS.sig']) return 70009;
    if (doc['TLS.time'] + doc['TLS.expire'] < now / 1000 || doc['TLS.time'] <= this.expiredUpTo) return 70001;
    return 0;
  }
}

function checkBody(body: any): number {
  if (typeof body.GroupId !== 'string' || body.GroupId === '') return 10004;
  if (!Number.isInteger(body.Random) || body.Random < 0 || body.Random > 0xffffffff) return 10004;
  if (body.MsgPriority !== undefined && !PRIORITIES.includes(body.MsgPriority)) return 10004;
  if (!Array.isArray(body.MsgBody) || body.MsgBody.length === 0) return 10004;
  for (const e of body.MsgBody) {
    if (!ELEMENT_TYPES.includes(e?.MsgType) || typeof e.MsgContent !== 'object') return 10004;
    if (e.MsgType === 'TIMCustomElem' && typeof e.MsgContent.Data !== 'string') return 10004;
    if (e.MsgType === 'TIMTextElem' && typeof e.MsgContent.Text !== 'string') return 10004;
  }
  if (body.MsgBody.filter((e: any) => e.MsgType === 'TIMCustomElem').length > 1) return 10004;
  if (body.ForbidCallbackControl !== undefined) {
    const flags = body.ForbidCallbackControl;
    if (!Array.isArray(flags) || !flags.every((f: unknown) => f === 'ForbidBeforeSendMsgCallback' || f === 'ForbidAfterSendMsgCallback'))
      return 10004;
  }
  if (Buffer.byteLength(JSON.stringify(body)) > 12 * 1024) return 80002;
  return 0;
}
