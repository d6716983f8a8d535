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
  ValidateIf,
} from 'class-validator';

const list = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)
    : value;

export const NOTIFIER_NAMES = ['log', 'webhook', 'tencent-im'] as const;
export type NotifierName = (typeof NOTIFIER_NAMES)[number];

/**
 * Every setting the service reads, named exactly as its environment variable.
 * Defaults live here too, so this class is the one place that documents them.
 */
export class Environment {
  @Type(() => Number) @IsInt() @Min(1) @Max(65535)
  PORT = 8080;

  @IsString()
  HOST = '0.0.0.0';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])
  LOG_LEVEL = 'info';

  // --- Redis ---
  @IsIn(['standalone', 'sentinel', 'cluster'])
  REDIS_MODE: 'standalone' | 'sentinel' | 'cluster' = 'standalone';

  @ValidateIf((env: Environment) => env.REDIS_MODE === 'standalone')
  @IsUrl({ protocols: ['redis', 'rediss'], require_tld: false, require_protocol: true })
  REDIS_URL: string;

  /** host:port list: the Sentinels (sentinel mode) or the Cluster seed nodes (cluster mode). */
  @ValidateIf((env: Environment) => env.REDIS_MODE !== 'standalone')
  @Transform(list)
  @ArrayNotEmpty()
  @Matches(/^[^\s:]+:\d{1,5}$/, { each: true, message: 'each entry must be host:port' })
  REDIS_NODES: string[];

  @ValidateIf((env: Environment) => env.REDIS_MODE === 'sentinel')
  @IsString()
  @MinLength(1)
  REDIS_SENTINEL_MASTER: string;

  @IsOptional() @IsString()
  REDIS_PASSWORD?: string;

  /** Prefix of every key; lets several deployments share one Redis. */
  @Matches(/^[A-Za-z0-9_-]{1,32}$/)
  REDIS_KEY_PREFIX = 'led';

  /** Number of key shards; keep it fixed for the life of a deployment. */
  @Type(() => Number) @IsInt() @Min(1) @Max(1024)
  SHARDS = 16;

  // --- Liveness timing ---
  @Type(() => Number) @IsInt() @Min(100)
  HEARTBEAT_TIMEOUT_MS = 20000;

  @Type(() => Number) @IsInt() @Min(50)
  SUSPECT_AFTER_MS = 10000;

  @Type(() => Number) @IsInt() @Min(50)
  HEARTBEAT_INTERVAL_MS = 5000;

  /** Bounds for a room's own `timeoutMs`. */
  @Type(() => Number) @IsInt() @Min(100)
  TIMEOUT_MIN_MS = 5000;

  @Type(() => Number) @IsInt() @Min(100)
  TIMEOUT_MAX_MS = 300000;

  @Type(() => Number) @IsInt() @Min(10) @Max(60000)
  SWEEP_INTERVAL_MS = 1000;

  /** Most lives one sweep claims per shard; the rest wait for the next tick. */
  @Type(() => Number) @IsInt() @Min(1) @Max(100000)
  SWEEP_BATCH = 1000;

  /**
   * A shard not swept for this long means the whole service (or Redis) was down: heartbeats sent
   * meanwhile were lost, so lives get a fresh grace instead of all ending at once.
   */
  @Type(() => Number) @IsInt() @Min(100)
  SWEEP_GAP_MS = 5000;

  // --- Mass-timeout guard ---
  /** Hold silence-endings when too many lives would end in one window (our fault is likelier than theirs). */
  @Transform(({ value }) => (typeof value === 'string' ? value === 'true' : value))
  @IsBoolean()
  GUARD_ENABLED = true;

  /** Share of tracked lives (0..1) that may end for silence within one window before the guard holds. */
  @Type(() => Number) @IsNumber() @Min(0) @Max(1)
  GUARD_MAX_SHARE = 0.3;

  /** Below this many endings in a window the guard never holds (small deployments end lives normally). */
  @Type(() => Number) @IsInt() @Min(1)
  GUARD_MIN_COUNT = 50;

  @Type(() => Number) @IsInt() @Min(1000)
  GUARD_WINDOW_MS = 60000;

  /** How long an ended live stays readable (and its liveId refused) before it expires. */
  @Type(() => Number) @IsInt() @Min(1000)
  ENDED_RETENTION_MS = 86400000;

  // --- Delivery ---
  @Transform(list)
  @ArrayNotEmpty()
  @IsIn(NOTIFIER_NAMES, { each: true })
  NOTIFIERS: NotifierName[] = ['log'];

  @Type(() => Number) @IsInt() @Min(1) @Max(10000)
  DELIVERY_CONCURRENCY = 64;

  /** How long an event is retried (from its transition) before it becomes a dead letter: a day outlasts a real outage. */
  @Type(() => Number) @IsInt() @Min(1000)
  DELIVERY_RETRY_FOR_MS = 86400000;

  /** How long delivered events stay in the outbox streams, for backends to page through what they missed. */
  @Type(() => Number) @IsInt() @Min(0)
  OUTBOX_RETENTION_MS = 86400000;

  @Type(() => Number) @IsInt() @Min(10)
  DELIVERY_BACKOFF_MS = 500;

  @Type(() => Number) @IsInt() @Min(10)
  DELIVERY_BACKOFF_MAX_MS = 10000;

  /** Idle time after which another replica takes over a pending delivery (its owner is presumed dead). */
  @Type(() => Number) @IsInt() @Min(100)
  DELIVERY_CLAIM_IDLE_MS = 30000;

  @Type(() => Number) @IsInt() @Min(10)
  DELIVERY_POLL_MS = 200;

  @ValidateIf((env: Environment) => env.NOTIFIERS?.includes?.('webhook'))
  @Transform(list)
  @ArrayNotEmpty()
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true }, { each: true })
  WEBHOOK_URLS: string[] = [];

  @ValidateIf((env: Environment) => env.NOTIFIERS?.includes?.('webhook'))
  @IsString()
  @MinLength(16)
  WEBHOOK_SECRET: string;

  @Type(() => Number) @IsInt() @Min(100)
  WEBHOOK_TIMEOUT_MS = 5000;

  // --- Tencent Cloud IM (viewer notices and third-party callbacks) ---
  @ValidateIf((env: Environment) => env.NOTIFIERS?.includes?.('tencent-im') || env.TENCENT_IM_SDKAPPID !== undefined)
  @Type(() => Number) @IsInt() @Min(1)
  TENCENT_IM_SDKAPPID?: number;

  /** The app's key from the IM console; signs the admin UserSig. */
  @ValidateIf((env: Environment) => env.NOTIFIERS?.includes?.('tencent-im'))
  @IsString()
  @MinLength(16)
  TENCENT_IM_SECRET_KEY: string;

  /** An App admin account (IM creates `administrator`). */
  @Matches(/^[A-Za-z0-9_@.-]{1,32}$/)
  TENCENT_IM_ADMIN = 'administrator';

  /** REST host of the app's data centre (e.g. https://adminapisgp.im.qcloud.com). */
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true })
  TENCENT_IM_BASE_URL = 'https://console.tim.qq.com';

  /** Longer than the IM service's own 3 s time-out, so we never give up on a call it is still serving. */
  @Type(() => Number) @IsInt() @Min(3001) @Max(60000)
  TENCENT_IM_TIMEOUT_MS = 5000;

  /** REST calls per second for the whole app, shared by all replicas (send_group_msg allows 200 by default). */
  @Type(() => Number) @IsInt() @Min(1) @Max(100000)
  TENCENT_IM_RATE_PER_SEC = 200;

  /** Which transitions viewers hear about; superseded endings never. */
  @Transform(list)
  @IsIn(['ended', 'interrupted', 'resumed'], { each: true })
  TENCENT_IM_EVENTS: Array<'ended' | 'interrupted' | 'resumed'> = ['ended', 'interrupted', 'resumed'];

  /** Optional text element added to LIVE_ENDED notices, for clients that do not parse the custom element. */
  @IsOptional() @IsString() @MaxLength(1000)
  TENCENT_IM_TEXT?: string;

  /** Validity of the admin UserSig; renewed at half of it (the IM docs advise at least 24 h). */
  @Type(() => Number) @IsInt() @Min(86400) @Max(50 * 365 * 86400)
  TENCENT_IM_USERSIG_TTL_SEC = 7 * 86400;

  /** The callback auth token set in the IM console; when set, callbacks must carry a valid Sign. */
  @IsOptional() @IsString() @MinLength(1) @MaxLength(128)
  TENCENT_IM_CALLBACK_TOKEN?: string;

  /** How far a callback's RequestTime may be from our clock (replay protection). */
  @Type(() => Number) @IsInt() @Min(1) @Max(3600)
  TENCENT_IM_CALLBACK_MAX_SKEW_SEC = 60;

  /** After IM reports the anchor offline, how long the live may stay interrupted before it ends (`disconnect`). */
  @Type(() => Number) @IsInt() @Min(100)
  TENCENT_IM_DISCONNECT_GRACE_MS = 8000;

  // --- Access ---
  @IsOptional() @IsString() @MinLength(16)
  ADMIN_TOKEN?: string;

  // --- Anchor authentication and limits ---
  /** `jwt`: anchors present a token minted by the business backend; `none`: trust every caller (deliberate choice). */
  @IsIn(['jwt', 'none'])
  AUTH_MODE: 'jwt' | 'none';

  /** HS256 shared secret (at least 32 characters); or set AUTH_JWT_PUBLIC_KEY instead. */
  @IsOptional() @IsString() @MinLength(32)
  AUTH_JWT_SECRET?: string;

  /** PEM public key (RSA or EC; `\n` escapes allowed) that verifies RS256/ES256 tokens. */
  @IsOptional() @IsString()
  AUTH_JWT_PUBLIC_KEY?: string;

  /** Accepted algorithms; by default the one the key implies (HS256, RS256 or ES256). */
  @IsOptional()
  @Transform(list)
  @ArrayNotEmpty()
  @IsIn(['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'], { each: true })
  AUTH_JWT_ALGORITHMS?: string[];

  /** Leeway for `exp` (and `nbf`) between the backend's clock and ours. */
  @Type(() => Number) @IsInt() @Min(0) @Max(300)
  AUTH_CLOCK_TOLERANCE_S = 30;

  /** Heartbeats per second a room's anchor may send on average; 0 turns the limit off. */
  @Type(() => Number) @IsNumber() @Min(0) @Max(10000)
  HEARTBEAT_RATE_PER_SEC = 5;

  /** Heartbeats an anchor may send at once above the average rate (e.g. reconnect retries). */
  @Type(() => Number) @IsInt() @Min(1) @Max(10000)
  HEARTBEAT_RATE_BURST = 10;

  // --- Status page ---
  /** Serve the small status page at /dashboard (and its data at /dashboard/data); off: both are 404. */
  @Transform(({ value }) => (typeof value === 'string' ? value === 'true' : value))
  @IsBoolean()
  DASHBOARD_ENABLED = false;

  /** Time given to in-flight sweeps, deliveries and requests on SIGTERM. */
  @Type(() => Number) @IsInt() @Min(0)
  SHUTDOWN_TIMEOUT_MS = 10000;
}

/** Variables whose values must never be echoed (in errors or logs). */
export const SECRET_VARIABLES = new Set([
  'REDIS_PASSWORD', 'WEBHOOK_SECRET', 'ADMIN_TOKEN', 'REDIS_URL', 'AUTH_JWT_SECRET', 'TENCENT_IM_SECRET_KEY', 'TENCENT_IM_CALLBACK_TOKEN',
]);
