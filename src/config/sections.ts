import { Inject } from '@nestjs/common';
import { Environment } from './environment';

/**
 * Each module's configuration section: the variables that module reads, and no others. The sections are taken once
 * from the validated configuration (derived values included) and frozen; ConfigModule provides each under its own
 * token. A module asks for its section, `@InjectConfig('sweeper') private readonly config: ConfigSection<'sweeper'>`,
 * so what it depends on is visible in its constructor and a test can build it with just those values. Only the
 * composition root (main.ts, app.factory.ts, app.module.ts, logging) sees the whole Environment.
 */
export const CONFIG_SECTIONS = {
  /** src/store: how to reach Redis, the key layout, and what the scripts apply per call. */
  store: [
    'REDIS_MODE',
    'REDIS_URL',
    'REDIS_NODES',
    'REDIS_SENTINEL_MASTER',
    'REDIS_PASSWORD',
    'REDIS_KEY_PREFIX',
    'SHARDS',
    'REDIS_COMMAND_TIMEOUT_MS',
    'REDIS_STARTUP_TIMEOUT_MS',
    'REDIS_ALLOW_EVICTION',
    'ENDED_RETENTION_MS',
    'SWEEP_GAP_MS',
    'HEARTBEAT_RATE_PER_SEC',
    'HEARTBEAT_RATE_BURST',
    'HEARTBEAT_TIMEOUT_MS',
    'TENCENT_IM_CALLBACK_TOKEN',
  ],
  /** src/rooms: the timing a heartbeat answers with. */
  rooms: ['HEARTBEAT_TIMEOUT_MS', 'SUSPECT_AFTER_MS', 'HEARTBEAT_INTERVAL_MS', 'TIMEOUT_MIN_MS', 'TIMEOUT_MAX_MS'],
  /** src/sweeper: the sweep and the mass-timeout guard. */
  sweeper: ['SWEEP_INTERVAL_MS', 'SWEEP_BATCH', 'GUARD_ENABLED', 'GUARD_MAX_SHARE', 'GUARD_MIN_COUNT', 'GUARD_WINDOW_MS'],
  /** src/notify: the outbox lanes and their destinations (webhooks, Tencent IM). */
  notify: [
    'NOTIFIERS',
    'DELIVERY_CONCURRENCY',
    'DELIVERY_RETRY_FOR_MS',
    'OUTBOX_RETENTION_MS',
    'DELIVERY_BACKOFF_MS',
    'DELIVERY_BACKOFF_MAX_MS',
    'DELIVERY_CLAIM_IDLE_MS',
    'DELIVERY_POLL_MS',
    'WEBHOOK_URLS',
    'WEBHOOK_SECRET',
    'WEBHOOK_TIMEOUT_MS',
    'TENCENT_IM_SDKAPPID',
    'TENCENT_IM_SECRET_KEY',
    'TENCENT_IM_ADMIN',
    'TENCENT_IM_BASE_URL',
    'TENCENT_IM_TIMEOUT_MS',
    'TENCENT_IM_RATE_PER_SEC',
    'TENCENT_IM_EVENTS',
    'TENCENT_IM_TEXT',
    'TENCENT_IM_USERSIG_TTL_SEC',
    'TENCENT_IM_FORBID_CALLBACKS',
    'TENCENT_IM_GROUP_ATTRIBUTES',
    'SHUTDOWN_TIMEOUT_MS',
  ],
  /** src/callbacks: Tencent IM's third-party callbacks. */
  callbacks: [
    'TENCENT_IM_SDKAPPID',
    'TENCENT_IM_CALLBACK_TOKEN',
    'TENCENT_IM_CALLBACK_MAX_SKEW_SEC',
    'TENCENT_IM_CALLBACK_FORWARD_URL',
    'TENCENT_IM_CALLBACK_FORWARD_TIMEOUT_MS',
    'TENCENT_IM_DISCONNECT_GRACE_MS',
  ],
  /** src/auth: anchor and gateway tokens. */
  auth: ['AUTH_MODE', 'AUTH_JWT_SECRET', 'AUTH_JWT_PUBLIC_KEY', 'AUTH_JWT_ALGORITHMS', 'AUTH_CLOCK_TOLERANCE_S'],
  /** src/admin: the operator's token. */
  admin: ['ADMIN_TOKEN'],
  /** src/dashboard: what the status page shows about the timing and the destinations. */
  dashboard: ['HEARTBEAT_TIMEOUT_MS', 'SUSPECT_AFTER_MS', 'SWEEP_INTERVAL_MS', 'SWEEP_GAP_MS', 'GUARD_WINDOW_MS', 'NOTIFIERS'],
} as const satisfies Record<string, ReadonlyArray<keyof Environment>>;

export type SectionName = keyof typeof CONFIG_SECTIONS;

/** The typed, read-only settings of one section. */
export type ConfigSection<S extends SectionName> = Readonly<Pick<Environment, (typeof CONFIG_SECTIONS)[S][number]>>;

/** The injection token of a section. */
export const configSectionToken = (section: SectionName): string => `config:${section}`;

/** Injects the module's configuration section (see CONFIG_SECTIONS). */
export const InjectConfig = (section: SectionName): ParameterDecorator & PropertyDecorator => Inject(configSectionToken(section));

/** The section's values, taken from the validated configuration and frozen. */
export function configSection<S extends SectionName>(env: Environment, section: S): ConfigSection<S> {
  const values: Record<string, unknown> = {};
  for (const name of CONFIG_SECTIONS[section]) values[name] = env[name];
  return Object.freeze(values) as ConfigSection<S>;
}
