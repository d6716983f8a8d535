import { backoffDelay, parseRetryAfter } from './backoff';
import { ServiceError } from './service-error';

/** One anchor's beat as a gateway forwards it: the single heartbeat route's body plus its roomId. */
export interface GatewayBeat {
  roomId: string;
  liveId: string;
  anchorId: string;
  groupId?: string;
  timeoutMs?: number;
}

/**
 * What the service answered for one beat: exactly the single route's body, with its status as `statusCode`
 * (200 `{state, liveId, nextHeartbeatInMs, deadline}`; 410 `{reason}`: tell the anchor its live is over;
 * 429 `{retryAfterMs}`; 400, 403, 409; 503 when that beat's Redis shard was unreachable).
 */
export interface GatewayBeatResult {
  statusCode: number;
  state?: 'live';
  liveId?: string;
  nextHeartbeatInMs?: number;
  deadline?: number;
  error?: string;
  message?: string | string[];
  reason?: string;
  retryAfterMs?: number;
}

export interface GatewayClientOptions {
  /** The service, e.g. https://led.example.com (no trailing /v1). */
  baseUrl: string;
  /** Returns the gateway's token (AUTH_MODE=jwt; typ gateway+jwt). Called before the first request, and again once after a 401. */
  getToken?: () => Promise<string> | string;
  /** A fetch implementation; Node's global fetch by default. */
  fetch?: typeof fetch;
  /** Longest a beat waits for others to share its request (ms). Default 20. */
  lingerMs?: number;
  /** Beats per request, at most the service's 500 (the default). */
  maxBatch?: number;
  /** Per-request time limit (ms). Default 10,000. */
  requestTimeoutMs?: number;
  /** How long a request is retried through outages (network, 5xx, 503, 429 of the whole request) before its beats fail (ms). Default 5,000: by then the anchors' next beats are due. */
  retryForMs?: number;
  /** First retry delay (ms); doubles per failed attempt, with jitter. Default 100. */
  retryBaseMs?: number;
}

/** A request that could not be made to succeed (401/400 of the whole request, or outages beyond retryForMs). */
export class GatewayClientError extends ServiceError {}

interface Pending {
  beat: GatewayBeat;
  waiters: Array<{ resolve: (result: GatewayBeatResult) => void; reject: (err: Error) => void }>;
}

const DEFAULTS = { lingerMs: 20, maxBatch: 500, requestTimeoutMs: 10000, retryForMs: 5000, retryBaseMs: 100 };
const SERVICE_MAX_BATCH = 500;

/**
 * For a gateway (a business's access service) that holds many anchors' connections: forwards their beats to
 * POST /v1/gateway/heartbeats, many to a request. A beat waits at most `lingerMs` for others, and a request
 * leaves as soon as `maxBatch` beats are waiting. Two beats of the same live waiting together are sent once and
 * both get its result. Whole-request failures are retried with backoff for `retryForMs`; a beat's own
 * refusal (410, 429, …) is its result, not an error.
 */
export class GatewayClient {
  private readonly options: GatewayClientOptions & typeof DEFAULTS;
  private readonly fetchImpl: typeof fetch;
  private pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private token: string | undefined;

  constructor(options: GatewayClientOptions) {
    if (typeof options.baseUrl !== 'string' || options.baseUrl === '') throw new TypeError('GatewayClient: baseUrl is required');
    this.options = { ...DEFAULTS, ...options, baseUrl: options.baseUrl.replace(/\/+$/, '') };
    if (!(this.options.maxBatch >= 1 && this.options.maxBatch <= SERVICE_MAX_BATCH)) {
      throw new TypeError(`GatewayClient: maxBatch must be between 1 and ${SERVICE_MAX_BATCH}`);
    }
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** Queues one anchor's beat; resolves with the service's result for it. Rejects with GatewayClientError. */
  beat(beat: GatewayBeat): Promise<GatewayBeatResult> {
    return new Promise((resolve, reject) => {
      const key = `${beat.roomId}\n${beat.liveId}\n${beat.anchorId}`;
      const waiting = this.pending.get(key);
      if (waiting) {
        waiting.beat = beat; // the newer beat's fields win
        waiting.waiters.push({ resolve, reject });
        return;
      }
      this.pending.set(key, { beat, waiters: [{ resolve, reject }] });
      if (this.pending.size >= this.options.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.lingerMs);
    });
  }

  /** Sends what is waiting now, without lingering. Resolves once every request sent so far has settled. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.pending.size > 0) {
      const batch = [...this.pending.values()].slice(0, this.options.maxBatch);
      for (const { beat } of batch) this.pending.delete(`${beat.roomId}\n${beat.liveId}\n${beat.anchorId}`);
      const sent = this.send(batch).finally(() => this.inFlight.delete(sent));
      this.inFlight.add(sent);
    }
    await Promise.all([...this.inFlight]);
  }

  /** Sends what is waiting and waits for every answer. */
  close(): Promise<void> {
    return this.flush();
  }

  private async send(batch: Pending[]): Promise<void> {
    const giveUpAt = Date.now() + this.options.retryForMs;
    const body = JSON.stringify({ beats: batch.map((p) => p.beat) });
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      const answer = await this.post(body);
      if (answer.status === 200 && Array.isArray((answer.body as { results?: unknown })?.results)) {
        const results = (answer.body as { results: GatewayBeatResult[] }).results;
        batch.forEach((p, i) => p.waiters.forEach((w) => w.resolve(results[i])));
        return;
      }
      if (answer.status === 401 && this.options.getToken && !refreshed) {
        refreshed = true;
        this.token = undefined;
        continue;
      }
      const error = new GatewayClientError(`gateway heartbeats answered ${answer.status ?? answer.failure}`, answer.status, answer.body);
      const retryable = answer.status === null || answer.status === 408 || answer.status === 429 || answer.status >= 500;
      const waitMs = Math.max(answer.retryAfterMs ?? 0, backoffDelay(attempt, this.options.retryBaseMs, this.options.retryForMs));
      if (!retryable || Date.now() + waitMs >= giveUpAt) {
        batch.forEach((p) => p.waiters.forEach((w) => w.reject(error)));
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }

  private async post(body: string): Promise<{ status: number | null; body: unknown; retryAfterMs: number | null; failure?: string }> {
    try {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (this.options.getToken) {
        this.token ??= await this.options.getToken();
        headers.authorization = `Bearer ${this.token}`;
      }
      const response = await this.fetchImpl(`${this.options.baseUrl}/v1/gateway/heartbeats`, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.options.requestTimeoutMs),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* not JSON: keep the text for the error */
      }
      return { status: response.status, body: parsed, retryAfterMs: parseRetryAfter(response.headers.get('retry-after')) };
    } catch (err) {
      return { status: null, body: null, retryAfterMs: null, failure: (err as Error).message };
    }
  }
}
