import { EventEmitter } from 'node:events';
import { backoffDelay, parseRetryAfter } from './backoff';
import { ServiceError } from './service-error';

/**
 * `idle` before start(); `live` while beats are taken; `retrying` while the service (or the network)
 * fails and the client backs off; `ended` once the live is over (stop(), 410, or a refusal the client
 * cannot fix); `stopped` after stop({ end: false }), which leaves the service to time the live out.
 */
export type AnchorState = 'idle' | 'live' | 'retrying' | 'ended' | 'stopped';

export interface AnchorClientOptions {
  /** The service, e.g. https://led.example.com (no trailing /v1). */
  baseUrl: string;
  roomId: string;
  liveId: string;
  anchorId: string;
  /** The room's IM group, when it is not the roomId. */
  groupId?: string;
  /** The room's own heartbeat timeout (ms), within the service's bounds; the service scales the beat interval. */
  timeoutMs?: number;
  /** Returns the anchor's JWT (AUTH_MODE=jwt). Called before the first request, and again once after a 401. */
  getToken?: () => Promise<string> | string;
  /** A fetch implementation; Node's global fetch by default. */
  fetch?: typeof fetch;
  /** Per-request time limit (ms). */
  requestTimeoutMs?: number;
  /** First retry delay (ms); doubles per failed attempt, with jitter. */
  retryBaseMs?: number;
  /** Longest retry delay (ms) unless Retry-After asks for more; by default the beat interval the service gave. */
  retryMaxMs?: number;
  /** How long stop() keeps retrying the end call (ms) before giving up. */
  endTimeoutMs?: number;
  onState?: (state: AnchorState, previous: AnchorState) => void;
  onEnded?: (reason: string) => void;
  onError?: (error: AnchorClientError) => void;
}

export interface HeartbeatReply {
  state: 'live';
  liveId: string;
  nextHeartbeatInMs: number;
  deadline: number;
}

export interface StopOptions {
  /** true (default): end the live normally (POST /end). false: just stop beating, as a crashed app would. */
  end?: boolean;
}

/** A refusal or failure, with the HTTP status and body when there was an answer. */
export class AnchorClientError extends ServiceError {}

/** An HTTP answer; `body` is the parsed JSON, whatever the service sent (read with runtime checks). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Answer = { status: number; body: any; retryAfterMs: number | null };

type Outcome =
  | { kind: 'ok'; reply: HeartbeatReply }
  | { kind: 'retry'; retryAfterMs: number | null; limited: boolean; error: AnchorClientError }
  | { kind: 'ended'; reason: string }
  | { kind: 'fatal'; reason: string; error: AnchorClientError };

const DEFAULTS = { requestTimeoutMs: 10000, retryBaseMs: 250, endTimeoutMs: 10000, beatIntervalMs: 5000 };

/**
 * Keeps one live going: beats at the interval the service asks for, rides out outages with backoff,
 * and says when the live is over.
 *
 * Events: `state` (state, previous), `beat` (reply), `ended` (reason), `error` (AnchorClientError;
 * emitted only when someone listens). The `on…` options are the same events as callbacks.
 */
export class AnchorClient extends EventEmitter {
  private currentState: AnchorState = 'idle';
  private lastReply: HeartbeatReply | null = null;
  private token: string | undefined;
  private readonly stopping = new AbortController();
  private loop: Promise<void> | null = null;
  private firstBeat: { resolve: (reply: HeartbeatReply) => void; reject: (err: Error) => void } | null = null;
  private readonly fetchImpl: typeof fetch;
  private readonly options: AnchorClientOptions & typeof DEFAULTS;

  constructor(options: AnchorClientOptions) {
    super();
    for (const field of ['baseUrl', 'roomId', 'liveId', 'anchorId'] as const) {
      if (typeof options[field] !== 'string' || options[field] === '') throw new TypeError(`AnchorClient: ${field} is required`);
    }
    this.options = { ...DEFAULTS, ...options, baseUrl: options.baseUrl.replace(/\/+$/, '') };
    this.fetchImpl = options.fetch ?? fetch;
    if (options.onState) this.on('state', options.onState);
    if (options.onEnded) this.on('ended', options.onEnded);
    if (options.onError) this.on('error', options.onError);
  }

  get state(): AnchorState {
    return this.currentState;
  }

  /** The service's answer to the latest accepted beat. */
  get lastHeartbeat(): HeartbeatReply | null {
    return this.lastReply;
  }

  /**
   * Sends the first beat (retrying through outages) and keeps beating. Resolves with the first
   * accepted beat; rejects if the service refuses the live (e.g. 410: that liveId already ended).
   */
  start(): Promise<HeartbeatReply> {
    if (this.currentState !== 'idle' || this.loop) return Promise.reject(new Error('AnchorClient: start() may be called once'));
    const first = new Promise<HeartbeatReply>((resolve, reject) => (this.firstBeat = { resolve, reject }));
    this.loop = this.run();
    return first;
  }

  /** Stops beating; by default ends the live normally, so viewers are told at once. */
  async stop({ end = true }: StopOptions = {}): Promise<void> {
    if (this.currentState === 'ended' || this.currentState === 'stopped') return;
    this.stopping.abort();
    await this.loop;
    this.settleFirstBeat(new AnchorClientError('stopped before the first beat was taken'));
    if (this.isOver()) return;
    if (!end) return this.setState('stopped');
    await this.endLive();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping.signal.aborted) {
      const outcome = await this.beat();
      if (this.stopping.signal.aborted) return;
      let waitMs: number;
      switch (outcome.kind) {
        case 'ok':
          failures = 0;
          this.lastReply = outcome.reply;
          this.setState('live');
          this.emit('beat', outcome.reply);
          this.settleFirstBeat(null, outcome.reply);
          waitMs = outcome.reply.nextHeartbeatInMs;
          break;
        case 'retry':
          failures++;
          // 429 means "too often", not "unreachable": the live is fine, so the state stays.
          if (!outcome.limited) this.setState('retrying');
          this.report(outcome.error);
          waitMs = Math.max(outcome.retryAfterMs ?? 0, backoffDelay(failures, this.options.retryBaseMs, this.retryCapMs()));
          break;
        case 'ended':
          return this.finish(outcome.reason);
        case 'fatal':
          this.report(outcome.error);
          this.settleFirstBeat(outcome.error);
          return this.finish(outcome.reason);
      }
      await sleep(waitMs, this.stopping.signal);
    }
  }

  /** One heartbeat; on 401 asks getToken for a fresh token and tries once more. */
  private async beat(): Promise<Outcome> {
    const { liveId, anchorId, groupId, timeoutMs } = this.options;
    const body = { liveId, anchorId, ...(groupId !== undefined && { groupId }), ...(timeoutMs !== undefined && { timeoutMs }) };
    let answer = await this.post('heartbeat', body, this.stopping.signal, false);
    if ('kind' in answer) return answer;
    if (answer.status === 401 && this.options.getToken) {
      answer = await this.post('heartbeat', body, this.stopping.signal, true);
      if ('kind' in answer) return answer;
    }
    const { status, body: reply } = answer;
    if (status === 200) return { kind: 'ok', reply: reply as HeartbeatReply };
    if (status === 410) return { kind: 'ended', reason: typeof reply?.reason === 'string' ? reply.reason : 'ended' };
    const error = new AnchorClientError(`heartbeat answered ${status}: ${describe(reply)}`, status, reply);
    if (isRetryable(status)) return { kind: 'retry', retryAfterMs: answer.retryAfterMs, limited: status === 429, error };
    return { kind: 'fatal', reason: refusalReason(status), error };
  }

  /** POST /end, retried through outages for up to endTimeoutMs. */
  private async endLive(): Promise<void> {
    const { liveId, anchorId } = this.options;
    const giveUpAt = Date.now() + this.options.endTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      const signal = AbortSignal.timeout(Math.max(1, giveUpAt - Date.now()));
      let answer = await this.post('end', { liveId, anchorId }, signal, false);
      if (!('kind' in answer) && answer.status === 401 && this.options.getToken)
        answer = await this.post('end', { liveId, anchorId }, signal, true);
      if (!('kind' in answer)) {
        if (answer.status === 200) return this.finish(typeof answer.body?.reason === 'string' ? answer.body.reason : 'normal');
        // 404: the live never started (or expired): there is nothing left to end.
        if (answer.status === 404) return this.finish('normal');
        if (!isRetryable(answer.status)) {
          this.report(new AnchorClientError(`end answered ${answer.status}: ${describe(answer.body)}`, answer.status, answer.body));
          return this.finish(refusalReason(answer.status));
        }
      }
      const error = 'kind' in answer ? answer.error : new AnchorClientError(`end answered ${answer.status}`, answer.status, answer.body);
      const retryAfterMs = 'kind' in answer ? answer.retryAfterMs : answer.retryAfterMs;
      const waitMs = Math.max(retryAfterMs ?? 0, backoffDelay(attempt, this.options.retryBaseMs, this.retryCapMs()));
      if (Date.now() + waitMs >= giveUpAt) {
        // The service will still end the live by timeout; viewers hear later, not never.
        this.report(
          new AnchorClientError(
            `could not end the live within ${this.options.endTimeoutMs} ms: ${error.message}`,
            error.status,
            error.body,
          ),
        );
        return this.finish('unreachable');
      }
      this.report(error);
      await sleep(waitMs);
    }
  }

  /** One request; a network failure or time-out comes back as a retry outcome, never a throw. */
  private async post(
    action: 'heartbeat' | 'end',
    body: object,
    signal: AbortSignal,
    refreshToken: boolean,
  ): Promise<Answer | Extract<Outcome, { kind: 'retry' }>> {
    try {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (this.options.getToken) {
        if (this.token === undefined || refreshToken) this.token = await this.options.getToken();
        headers.authorization = `Bearer ${this.token}`;
      }
      const url = `${this.options.baseUrl}/v1/rooms/${encodeURIComponent(this.options.roomId)}/${action}`;
      const response = await this.fetchImpl(url, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.options.requestTimeoutMs)]),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* not JSON: keep the text for the error message */
      }
      return { status: response.status, body: parsed, retryAfterMs: parseRetryAfter(response.headers.get('retry-after')) };
    } catch (err) {
      const error = new AnchorClientError(`${action} failed: ${(err as Error).message}`);
      return { kind: 'retry', retryAfterMs: null, limited: false, error };
    }
  }

  private retryCapMs(): number {
    return this.options.retryMaxMs ?? this.lastReply?.nextHeartbeatInMs ?? DEFAULTS.beatIntervalMs;
  }

  private isOver(): boolean {
    return this.currentState === 'ended' || this.currentState === 'stopped';
  }

  private finish(reason: string): void {
    if (this.isOver()) return;
    this.stopping.abort();
    this.settleFirstBeat(new AnchorClientError(`the live ended (${reason}) before a beat was taken`));
    this.setState('ended');
    this.emit('ended', reason);
  }

  private setState(next: AnchorState): void {
    const previous = this.currentState;
    if (previous === next) return;
    this.currentState = next;
    this.emit('state', next, previous);
  }

  private report(error: AnchorClientError): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  private settleFirstBeat(error: Error | null, reply?: HeartbeatReply): void {
    const pending = this.firstBeat;
    if (!pending) return;
    this.firstBeat = null;
    if (error) pending.reject(error);
    else pending.resolve(reply!);
  }
}

/** 408, 429 and 5xx (503 while the service's Redis is away) are worth another try; other 4xx are not. */
function isRetryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function refusalReason(status: number): string {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 409) return 'conflict';
  return 'rejected';
}

function describe(body: unknown): string {
  if (body && typeof body === 'object' && 'message' in body) {
    const message = (body as { message: unknown }).message;
    return Array.isArray(message) ? message.join('; ') : String(message);
  }
  return String(body).slice(0, 200);
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
