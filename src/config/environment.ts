import { Transform, Type } from 'class-transformer';
import {
  ArrayNotEmpty,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  ValidateIf,
  ValidationOptions,
} from 'class-validator';
import { webhookSecretProblem } from '../notify/webhook-signature';

import { DerivedFrom } from './derived';
import { Secret, secretVariables } from './secret';
import { flag, list } from './env-values';

/** A Standard Webhooks secret; the message says what is wrong without echoing the value. */
const IsWebhookSecret = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isWebhookSecret',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && webhookSecretProblem(value) === null,
        defaultMessage: (args) => {
          const values: unknown[] = Array.isArray(args?.value) ? args.value : [args?.value];
          const problem = values.map((v) => (typeof v === 'string' ? webhookSecretProblem(v) : 'must be a string')).find(Boolean);
          return `$property ${problem ?? 'is invalid'}; make one with: echo "whsec_$(openssl rand -base64 32)"`;
        },
      },
    },
    options,
  );

/** Ceiling of the liveness timings (a day): a larger value is a typo, and deadlines must stay exact integers. */
const MAX_TIMING_MS = 86_400_000;

export const NOTIFIER_NAMES = ['log', 'webhook', 'tencent-im'] as const;
export type NotifierName = (typeof NOTIFIER_NAMES)[number];

/**
 * Every setting the service reads, named exactly as its environment variable.
 * Defaults live here too, so this class is the one place that documents them.
 */
export class Environment {
  /** TCP port of the HTTP listener (API, health, metrics, status page). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT = 8080;

  /** Address the HTTP listener binds. */
  @IsString()
  HOST = '0.0.0.0';

  /** Lowest level logged; logs are JSON lines on stdout. */
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])
  LOG_LEVEL = 'info';

  // --- Redis ---
  /** How to reach Redis: one server (REDIS_URL), Sentinels (REDIS_NODES, REDIS_SENTINEL_MASTER) or a Cluster (REDIS_NODES). */
  @IsIn(['standalone', 'sentinel', 'cluster'])
  REDIS_MODE: 'standalone' | 'sentinel' | 'cluster' = 'standalone';

  /** `redis://[:password@]host:port[/db]`, or `rediss://` for TLS. Required in standalone mode (`npm start` starts a local Redis when it is unset). */
  @ValidateIf((env: Environment) => env.REDIS_MODE === 'standalone')
  @IsUrl({ protocols: ['redis', 'rediss'], require_tld: false, require_protocol: true })
  @Secret()
  REDIS_URL: string;

  /** host:port list: the Sentinels (sentinel mode) or the Cluster seed nodes (cluster mode). */
  @ValidateIf((env: Environment) => env.REDIS_MODE !== 'standalone')
  @Transform(list)
  @ArrayNotEmpty()
  @Matches(/^[^\s:]+:\d{1,5}$/, { each: true, message: 'each entry must be host:port' })
  REDIS_NODES: string[];

  /** The master name the Sentinels watch. Required in sentinel mode. */
  @ValidateIf((env: Environment) => env.REDIS_MODE === 'sentinel')
  @IsString()
  @MinLength(1)
  REDIS_SENTINEL_MASTER: string;

  /** Redis password, in every mode. */
  @IsOptional()
  @IsString()
  @Secret()
  REDIS_PASSWORD?: string;

  /** Prefix of every key; lets several deployments share one Redis. */
  @Matches(/^[A-Za-z0-9_-]{1,32}$/)
  REDIS_KEY_PREFIX = 'led';

  /** Number of key shards; fixed for the life of the data: start-up refuses a Redis written with another count. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1024)
  SHARDS = 16;

  /**
   * Longest wait for one Redis reply, in ms. Past it the caller gets 503 + Retry-After (a sweep retries later);
   * a connection silent for 4× this (at least 2 s) is dropped and reopened, so a hung or black-holed Redis
   * never hangs a request.
   */
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(60000)
  REDIS_COMMAND_TIMEOUT_MS = 500;

  /** How long start-up waits for Redis to become reachable (retrying, with a progress line) before it exits 1. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  REDIS_STARTUP_TIMEOUT_MS = 30000;

  /**
   * Start even though Redis's maxmemory-policy may evict keys (anything but `noeviction`). Evicted records
   * let ended lives run again and lose events: only for throw-away setups. Logged as a warning at every start.
   */
  @Transform(flag)
  @IsBoolean()
  REDIS_ALLOW_EVICTION = false;

  // --- Liveness timing ---
  /**
   * Silence after which a live ends (reason `timeout`). The suspect point, the beat interval, the bounds of a
   * room's own timeout and the heartbeat rate limit follow it unless set themselves.
   */
  @Type(() => Number)
  @IsInt()
  @Min(200)
  @Max(MAX_TIMING_MS)
  HEARTBEAT_TIMEOUT_MS = 20000;

  /** Silence after which a live is `interrupted` (viewers are told it may come back). */
  @DerivedFrom<Environment>(['HEARTBEAT_TIMEOUT_MS'], 'half of HEARTBEAT_TIMEOUT_MS', (e) => Math.round(e.HEARTBEAT_TIMEOUT_MS / 2))
  @Type(() => Number)
  @IsInt()
  @Min(50)
  @Max(MAX_TIMING_MS)
  SUSPECT_AFTER_MS = 10000;

  /** How often anchors are told to beat (`nextHeartbeatInMs`), for a room with HEARTBEAT_TIMEOUT_MS. */
  @DerivedFrom<Environment>(['HEARTBEAT_TIMEOUT_MS'], 'a quarter of HEARTBEAT_TIMEOUT_MS', (e) => Math.round(e.HEARTBEAT_TIMEOUT_MS / 4))
  @Type(() => Number)
  @IsInt()
  @Min(50)
  @Max(MAX_TIMING_MS)
  HEARTBEAT_INTERVAL_MS = 5000;

  /** Lower bound for a room's own `timeoutMs`. */
  @DerivedFrom<Environment>(['HEARTBEAT_TIMEOUT_MS'], '5000, or HEARTBEAT_TIMEOUT_MS if that is less', (e) =>
    Math.min(5000, e.HEARTBEAT_TIMEOUT_MS),
  )
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(MAX_TIMING_MS)
  TIMEOUT_MIN_MS = 5000;

  /** Upper bound for a room's own `timeoutMs`. */
  @DerivedFrom<Environment>(['HEARTBEAT_TIMEOUT_MS'], '300000, or HEARTBEAT_TIMEOUT_MS if that is more', (e) =>
    Math.max(300000, e.HEARTBEAT_TIMEOUT_MS),
  )
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(MAX_TIMING_MS)
  TIMEOUT_MAX_MS = 300000;

  /** How often each replica looks for lives whose deadline passed; at most half the suspect point, so an outage of ours can be told from a pause between sweeps. */
  @DerivedFrom<Environment>(['SUSPECT_AFTER_MS'], '1000, or half of SUSPECT_AFTER_MS if that is less', (e) =>
    Math.max(10, Math.min(1000, Math.floor(e.SUSPECT_AFTER_MS / 2))),
  )
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(60000)
  SWEEP_INTERVAL_MS = 1000;

  /** Most lives one sweep claims per shard; the rest wait for the next tick. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100000)
  SWEEP_BATCH = 1000;

  /**
   * A shard not swept for this long means the whole service (or Redis) was down: heartbeats sent
   * meanwhile were lost, so lives get a fresh grace instead of all ending at once. At most SUSPECT_AFTER_MS.
   */
  @DerivedFrom<Environment>(
    ['SWEEP_INTERVAL_MS', 'SUSPECT_AFTER_MS', 'HEARTBEAT_INTERVAL_MS', 'HEARTBEAT_TIMEOUT_MS', 'TIMEOUT_MIN_MS'],
    "the shortest room's suspect point minus its beat interval, within two SWEEP_INTERVAL_MS and 5000, at most SUSPECT_AFTER_MS",
    (e) => derivedSweepGapMs(e),
  )
  @Type(() => Number)
  @IsInt()
  @Min(100)
  SWEEP_GAP_MS = 2000;

  // --- Mass-timeout guard ---
  /** Hold silence-endings when too many lives would end in one window (our fault is likelier than theirs). */
  @Transform(flag)
  @IsBoolean()
  GUARD_ENABLED = true;

  /** Share of tracked lives (0..1) that may end for silence within one window before the guard holds. */
  @Type(() => Number)
  @IsNumber()
  @Min(0)
  @Max(1)
  GUARD_MAX_SHARE = 0.3;

  /** Below this many endings in a window the guard never holds (small deployments end lives normally). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  GUARD_MIN_COUNT = 50;

  /** The guard's window, and how long an operator's release lasts. */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  GUARD_WINDOW_MS = 60000;

  /** How long an ended live stays readable (and its liveId refused) before it expires. */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  ENDED_RETENTION_MS = 86400000;

  // --- Delivery ---
  /** Where events go: `log` (the service's log), `webhook` (every WEBHOOK_URLS entry), `tencent-im` (the room's IM group). */
  @Transform(list)
  @ArrayNotEmpty()
  @IsIn(NOTIFIER_NAMES, { each: true })
  NOTIFIERS: NotifierName[] = ['log'];

  /** Outbox events a replica delivers at once (its send queue puts endings first among these). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10000)
  DELIVERY_CONCURRENCY = 64;

  /** How long an event is retried (from its transition) before it becomes a dead letter: a day outlasts a real outage. */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  DELIVERY_RETRY_FOR_MS = 86400000;

  /** How long delivered events stay in the outbox streams, for backends to page through what they missed. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  OUTBOX_RETENTION_MS = 86400000;

  /** First retry delay of a failed delivery; it doubles per attempt, with jitter. */
  @Type(() => Number)
  @IsInt()
  @Min(10)
  DELIVERY_BACKOFF_MS = 500;

  /** Longest retry delay of a failed delivery. */
  @DerivedFrom<Environment>(['DELIVERY_BACKOFF_MS'], '10000, or DELIVERY_BACKOFF_MS if that is more', (e) =>
    Math.max(10000, e.DELIVERY_BACKOFF_MS),
  )
  @Type(() => Number)
  @IsInt()
  @Min(10)
  DELIVERY_BACKOFF_MAX_MS = 10000;

  /** Idle time after which another replica takes over a pending delivery (its owner is presumed dead). */
  @DerivedFrom<Environment>(['DELIVERY_BACKOFF_MAX_MS'], '30000, or twice DELIVERY_BACKOFF_MAX_MS if that is more', (e) =>
    Math.max(30000, 2 * e.DELIVERY_BACKOFF_MAX_MS),
  )
  @Type(() => Number)
  @IsInt()
  @Min(100)
  DELIVERY_CLAIM_IDLE_MS = 30000;

  /**
   * Outbox poll when idle: the first wait after an empty poll, doubling while polls find nothing, up to 2 s (writers in
   * the same replica wake it at once; the polls find what other replicas wrote and left).
   */
  @Type(() => Number)
  @IsInt()
  @Min(10)
  DELIVERY_POLL_MS = 200;

  /** Receivers of every event, comma-separated. Required with `webhook` in NOTIFIERS. */
  @ValidateIf((env: Environment) => env.NOTIFIERS?.includes?.('webhook'))
  @Transform(list)
  @ArrayNotEmpty()
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true }, { each: true })
  WEBHOOK_URLS: string[] = [];

  /**
   * Standard Webhooks secrets (`whsec_` + base64 of 24–64 random bytes), comma- or space-separated, newest first.
   * Every one signs each webhook, so receivers keep verifying while a secret is rotated. Required with `webhook` in NOTIFIERS.
   */
  @ValidateIf((env: Environment) => env.NOTIFIERS?.includes?.('webhook'))
  @Transform(({ value }) => (typeof value === 'string' ? value.split(/[\s,]+/).filter(Boolean) : value))
  @ArrayNotEmpty()
  @IsWebhookSecret({ each: true })
  @Secret()
  WEBHOOK_SECRET: string[];

  /** Time-out of one webhook request; a time-out is retried. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  WEBHOOK_TIMEOUT_MS = 5000;

  // --- Tencent Cloud IM (viewer notices and third-party callbacks) ---
  /** The IM app's SDKAppID. Required with `tencent-im` in NOTIFIERS; when set, callbacks from another SDKAppID are refused. */
  @ValidateIf((env: Environment) => env.NOTIFIERS?.includes?.('tencent-im') || env.TENCENT_IM_SDKAPPID !== undefined)
  @Type(() => Number)
  @IsInt()
  @Min(1)
  TENCENT_IM_SDKAPPID?: number;

  /** The app's key from the IM console; signs the admin UserSig. Required with `tencent-im` in NOTIFIERS. */
  @ValidateIf((env: Environment) => env.NOTIFIERS?.includes?.('tencent-im'))
  @IsString()
  @MinLength(16)
  @Secret()
  TENCENT_IM_SECRET_KEY: string;

  /** An App admin account (IM creates `administrator`). */
  @Matches(/^[A-Za-z0-9_@.-]{1,32}$/)
  TENCENT_IM_ADMIN = 'administrator';

  /** REST host of the app's data centre (e.g. https://adminapisgp.im.qcloud.com). */
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true })
  TENCENT_IM_BASE_URL = 'https://console.tim.qq.com';

  /** Longer than the IM service's own 3 s time-out, so we never give up on a call it is still serving. */
  @Type(() => Number)
  @IsInt()
  @Min(3001)
  @Max(60000)
  TENCENT_IM_TIMEOUT_MS = 5000;

  /** REST calls per second for the whole app, shared by all replicas (send_group_msg allows 200 by default). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100000)
  TENCENT_IM_RATE_PER_SEC = 200;

  /** Which transitions viewers hear about (`replaced`: a new live superseded the one they watch); superseded endings never. */
  @Transform(list)
  @IsIn(['ended', 'interrupted', 'resumed', 'replaced'], { each: true })
  TENCENT_IM_EVENTS: Array<'ended' | 'interrupted' | 'resumed' | 'replaced'> = ['ended', 'interrupted', 'resumed', 'replaced'];

  /** Optional text element added to LIVE_ENDED notices, for clients that do not parse the custom element. */
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  TENCENT_IM_TEXT?: string;

  /** Validity of the admin UserSig; renewed at half of it (the IM docs advise at least 24 h). */
  @Type(() => Number)
  @IsInt()
  @Min(86400)
  @Max(50 * 365 * 86400)
  TENCENT_IM_USERSIG_TTL_SEC = 7 * 86400;

  /** The callback auth token set in the IM console; when set, callbacks must carry a valid Sign. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  @Secret()
  TENCENT_IM_CALLBACK_TOKEN?: string;

  /** How far a callback's RequestTime may be from our clock (replay protection). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3600)
  TENCENT_IM_CALLBACK_MAX_SKEW_SEC = 60;

  /**
   * The business's own IM callback URL. When set, every authenticated callback is forwarded there with its query
   * string and body unchanged; for commands this service does not act on, the business's answer goes back to IM.
   */
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true })
  TENCENT_IM_CALLBACK_FORWARD_URL?: string;

  /** How long a forwarded callback waits for the business; below IM's own 2 s, so IM still gets an answer from us. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(1900)
  TENCENT_IM_CALLBACK_FORWARD_TIMEOUT_MS = 1500;

  /**
   * Which of the app's send-message callbacks our LIVE_* notices skip (send_group_msg `ForbidCallbackControl`):
   * `both` (default: our notices never reach the business's moderation or archive callbacks), `before`, `after`, `none`.
   */
  @IsIn(['both', 'before', 'after', 'none'])
  TENCENT_IM_FORBID_CALLBACKS: 'both' | 'before' | 'after' | 'none' = 'both';

  /**
   * Also write each room's live state into its AVChatRoom's group attributes (key `led_live`, REST modify_group_attr),
   * so viewer apps read it with the IM SDK right after joining. Shares the IM rate, behind endings.
   */
  @Transform(flag)
  @IsBoolean()
  TENCENT_IM_GROUP_ATTRIBUTES = false;

  /**
   * After IM reports the anchor offline, how long the live may stay interrupted before it ends (`disconnect`),
   * for a room with HEARTBEAT_TIMEOUT_MS; a room with its own timeout gets it scaled like its beat interval.
   * Must exceed HEARTBEAT_INTERVAL_MS: the anchor's next beat has to be able to refute the report.
   */
  @DerivedFrom<Environment>(['HEARTBEAT_INTERVAL_MS'], '8000, or 1.6 times HEARTBEAT_INTERVAL_MS if that is more', (e) =>
    Math.max(8000, Math.round(1.6 * e.HEARTBEAT_INTERVAL_MS)),
  )
  @Type(() => Number)
  @IsInt()
  @Min(100)
  TENCENT_IM_DISCONNECT_GRACE_MS = 8000;

  // --- Access ---
  /** Bearer token of the admin API (`/v1/admin/…`); unset, the admin API answers 403. */
  @IsOptional()
  @IsString()
  @MinLength(16)
  @Secret()
  ADMIN_TOKEN?: string;

  // --- Anchor authentication and limits ---
  /** `jwt`: anchors present a token minted by the business backend; `none`: trust every caller (logs a warning). No default: a deliberate choice. */
  @IsIn(['jwt', 'none'])
  AUTH_MODE: 'jwt' | 'none';

  /** HS256 shared secret (at least 32 characters); or set AUTH_JWT_PUBLIC_KEY instead. */
  @IsOptional()
  @IsString()
  @MinLength(32)
  @Secret()
  AUTH_JWT_SECRET?: string;

  /** PEM public key (RSA or EC; `\n` escapes allowed) that verifies RS256/ES256 tokens. */
  @IsOptional()
  @IsString()
  AUTH_JWT_PUBLIC_KEY?: string;

  /** Accepted algorithms; by default the one the key implies (HS256, RS256 or ES256). */
  @IsOptional()
  @Transform(list)
  @ArrayNotEmpty()
  @IsIn(['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'], {
    each: true,
  })
  AUTH_JWT_ALGORITHMS?: string[];

  /** Leeway for `exp` (and `nbf`) between the backend's clock and ours. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(300)
  AUTH_CLOCK_TOLERANCE_S = 30;

  /**
   * Heartbeats per second a room's anchor may send on average; 0 turns the limit off. It must be at least twice
   * the beat rate asked of a room with TIMEOUT_MIN_MS (room for retries).
   */
  @DerivedFrom<Environment>(
    ['HEARTBEAT_TIMEOUT_MS', 'HEARTBEAT_INTERVAL_MS', 'TIMEOUT_MIN_MS'],
    '5, or twice the beat rate asked of a room with TIMEOUT_MIN_MS if that is more',
    (e) => Math.max(5, Math.ceil(2 * fastestBeatsPerSec(e) * 100) / 100),
  )
  @Type(() => Number)
  @IsNumber()
  @Min(0)
  @Max(10000)
  HEARTBEAT_RATE_PER_SEC = 5;

  /** Heartbeats an anchor may send at once above the average rate (e.g. reconnect retries). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10000)
  HEARTBEAT_RATE_BURST = 10;

  // --- Status page ---
  /** Serve the small status page at /dashboard (and its data at /dashboard/data); off: both are 404. */
  @Transform(flag)
  @IsBoolean()
  DASHBOARD_ENABLED = false;

  // --- HTTP server and shutdown ---
  /**
   * A whole request, headers and body, must arrive within this: a client that sends part of a body and goes
   * silent gets 408 and its connection is closed. Checked about once a second.
   */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(600000)
  HTTP_REQUEST_TIMEOUT_MS = 10000;

  /**
   * A request's headers must arrive within this (the connection gets 408 and is closed otherwise).
   * At most HTTP_REQUEST_TIMEOUT_MS.
   */
  @DerivedFrom<Environment>(['HTTP_REQUEST_TIMEOUT_MS'], '5000, or HTTP_REQUEST_TIMEOUT_MS if that is less', (e) =>
    Math.min(5000, e.HTTP_REQUEST_TIMEOUT_MS),
  )
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(600000)
  HTTP_HEADERS_TIMEOUT_MS = 5000;

  /** An idle keep-alive connection is closed after this; longer than a load balancer's own idle time-out (often 60 s). */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(600000)
  HTTP_KEEP_ALIVE_TIMEOUT_MS = 72000;

  /**
   * Upper bound of a shutdown on SIGTERM: in-flight sweeps, deliveries and requests get this long in total, then
   * the remaining connections are cut and the process exits (what is left stays pending for another replica).
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  SHUTDOWN_TIMEOUT_MS = 10000;
}

/**
 * Beats per second asked of a room with the shortest allowed timeout: the beat interval scales with the room's
 * timeout (rooms.service), so that room beats every HEARTBEAT_INTERVAL_MS × TIMEOUT_MIN_MS / HEARTBEAT_TIMEOUT_MS.
 */
export function fastestBeatsPerSec(e: Pick<Environment, 'HEARTBEAT_INTERVAL_MS' | 'TIMEOUT_MIN_MS' | 'HEARTBEAT_TIMEOUT_MS'>): number {
  return 1000 / ((e.HEARTBEAT_INTERVAL_MS * e.TIMEOUT_MIN_MS) / e.HEARTBEAT_TIMEOUT_MS);
}

/**
 * The default SWEEP_GAP_MS. An outage shorter than the gap threshold goes unnoticed, so the anchor of every
 * room must be able to retry after it (its client waits up to one beat interval) and still beat before its
 * suspect point: for the shortest room (TIMEOUT_MIN_MS, timings scaled) that is suspect − interval. At most
 * 5 s; not under two sweep intervals (a normal pause between sweeps must not pass for an outage) unless the
 * suspect point is shorter still, since an outage longer than the suspect point must always count.
 */
export function derivedSweepGapMs(
  e: Pick<Environment, 'SWEEP_INTERVAL_MS' | 'SUSPECT_AFTER_MS' | 'HEARTBEAT_INTERVAL_MS' | 'HEARTBEAT_TIMEOUT_MS' | 'TIMEOUT_MIN_MS'>,
): number {
  const shortestRoom = Math.min(1, e.TIMEOUT_MIN_MS / e.HEARTBEAT_TIMEOUT_MS);
  const tolerance = Math.floor((e.SUSPECT_AFTER_MS - e.HEARTBEAT_INTERVAL_MS) * shortestRoom);
  return Math.min(e.SUSPECT_AFTER_MS, Math.max(2 * e.SWEEP_INTERVAL_MS, Math.min(5000, tolerance)));
}

/** Variables whose values must never be echoed (in errors or logs): those marked `@Secret()` above. */
export const SECRET_VARIABLES: ReadonlySet<string> = secretVariables();
