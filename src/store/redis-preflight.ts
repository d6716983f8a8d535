import type { LoggerService } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { storageFailure } from '../common/storage-failure';
import { ConfigSection } from '../config/sections';
import type { RedisClient } from './redis-connection';

/**
 * Start-up cannot go on (Redis unreachable in time, too old, evicting, holding another layout). The message is
 * one line that names what to change; main.ts prints it without a stack trace and exits 1.
 */
export class StoreStartupError extends Error {
  override readonly name = 'StoreStartupError';
}

/** XAUTOCLAIM, with which a replica takes over the deliveries a dead one left pending, arrived in Redis 6.2.0. */
export const MIN_REDIS_VERSION = [6, 2, 0] as const;

/** The only policy under which Redis never drops a key to make room: full memory refuses writes instead (OOM). */
export const SAFE_MEMORY_POLICY = 'noeviction';

const PROGRESS_EVERY_MS = 5000;

/** The `field:value` lines of an INFO reply. */
export function parseInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) fields[line.slice(0, at)] = line.slice(at + 1).trim();
  }
  return fields;
}

/**
 * Why a Redis server of `version` (INFO's `redis_version`, e.g. "7.0.15"; Valkey reports a Redis-compatible one)
 * cannot serve this service, or null when it can.
 */
export function versionProblem(where: string, version: string | undefined): string | null {
  const parts = /^(\d+)\.(\d+)\.(\d+)/.exec(version ?? '');
  const wanted = MIN_REDIS_VERSION.join('.');
  if (!parts) return `${where} did not report its version (INFO server: redis_version); live-end-detector needs Redis ${wanted} or later.`;
  const found = parts.slice(1, 4).map(Number);
  for (let i = 0; i < 3; i++) {
    if (found[i] > MIN_REDIS_VERSION[i]) return null;
    if (found[i] < MIN_REDIS_VERSION[i]) {
      return `${where} runs Redis ${version}; live-end-detector needs ${wanted} or later (XAUTOCLAIM takes over deliveries a stopped replica left pending). Upgrade Redis.`;
    }
  }
  return null;
}

/**
 * What to do about a `maxmemory-policy` (INFO memory: `maxmemory_policy`): a refusal (start-up stops), a warning
 * (the operator allowed eviction with REDIS_ALLOW_EVICTION), or nothing. Any policy but noeviction may evict the
 * service's keys when memory is full: a dropped room record lets an ended live run again and re-uses its event ids,
 * a dropped outbox loses notices.
 */
export function memoryPolicyProblem(where: string, policy: string | undefined, allowEviction: boolean): { refuse?: string; warn?: string } {
  if (policy === SAFE_MEMORY_POLICY) return {};
  const found = policy ? `maxmemory-policy ${policy}, which evicts keys when memory is full` : 'no maxmemory-policy in INFO memory';
  const risk = 'evicted records let ended lives run again and lose events';
  if (allowEviction) {
    return {
      warn: `REDIS_ALLOW_EVICTION=true: ${where} has ${found}; ${risk}. Set maxmemory-policy ${SAFE_MEMORY_POLICY} for production.`,
    };
  }
  return {
    refuse:
      `${where} has ${found} (${risk}). Set maxmemory-policy ${SAFE_MEMORY_POLICY} (redis.conf, CONFIG SET, or the provider's parameter group), ` +
      `or set REDIS_ALLOW_EVICTION=true to start anyway.`,
  };
}

/**
 * Opens the connection and waits until Redis takes commands, for at most REDIS_STARTUP_TIMEOUT_MS. While it is not
 * reachable, logs a progress line at once and then every few seconds, naming `target` (describeRedisTarget: hosts,
 * never the password) and the last error. A refused password stops at once.
 * @throws StoreStartupError one line naming the target, the limit and the last error
 */
export function connectWithProgress(redis: RedisClient, env: ConfigSection<'store'>, target: string, logger: LoggerService): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  const limitMs = env.REDIS_STARTUP_TIMEOUT_MS;
  const startedAt = Date.now();
  return new Promise<void>((resolve, reject) => {
    let lastError = 'no answer yet';
    let loggedAt = 0;
    const done = (err?: StoreStartupError) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', onError);
      if (err) {
        redis.disconnect();
        reject(err);
      } else resolve();
    };
    const onReady = () => done();
    const onError = (err: Error) => {
      lastError = err.message;
      if (storageFailure(err)?.kind === 'auth') {
        done(new StoreStartupError(`${target} refused the credentials (REDIS_PASSWORD or the password in REDIS_URL): ${err.message}`));
        return;
      }
      if (Date.now() - loggedAt < PROGRESS_EVERY_MS) return;
      loggedAt = Date.now();
      const leftS = Math.max(0, Math.round((startedAt + limitMs - Date.now()) / 1000));
      logger.warn(`${target} not reachable yet (${lastError}); retrying for up to ${leftS} s more (REDIS_STARTUP_TIMEOUT_MS)`, 'Redis');
    };
    const timer = setTimeout(
      () => done(new StoreStartupError(`${target} not reachable within ${limitMs} ms (REDIS_STARTUP_TIMEOUT_MS): ${lastError}`)),
      limitMs,
    );
    redis.on('ready', onReady);
    redis.on('error', onError);
    // A failed attempt is retried by the client's retry strategy; 'ready' ends the wait.
    if (redis.status === 'wait') redis.connect().catch(() => undefined);
  });
}

/** The servers whose version and memory policy matter: every Cluster primary, else the one connection. */
function serversOf(redis: RedisClient): Array<{ where: string; node: Redis }> {
  if ('nodes' in redis && redis.isCluster) {
    return redis.nodes('master').map((node) => ({ where: `Redis Cluster primary ${node.options.host}:${node.options.port}`, node }));
  }
  return [{ where: 'Redis', node: redis as Redis }];
}

/**
 * Checks each server once connected: Redis 6.2 or later and maxmemory-policy noeviction (unless REDIS_ALLOW_EVICTION,
 * which logs a warning). Returns a one-line description of what was reached, for the start-up log.
 * @throws StoreStartupError naming the server, what it has and what to set
 */
export async function checkRedisServers(
  redis: RedisClient,
  env: ConfigSection<'store'>,
  target: string,
  logger: LoggerService,
): Promise<string> {
  const found: string[] = [];
  for (const { where, node } of serversOf(redis)) {
    const info = parseInfo(await node.info());
    const label = where === 'Redis' ? target : where;
    const tooOld = versionProblem(label, info.redis_version);
    if (tooOld) throw new StoreStartupError(tooOld);
    const policy = memoryPolicyProblem(label, info.maxmemory_policy, env.REDIS_ALLOW_EVICTION);
    if (policy.refuse) throw new StoreStartupError(policy.refuse);
    if (policy.warn) logger.warn(policy.warn, 'Redis');
    found.push(
      `Redis ${info.redis_version}, maxmemory-policy ${info.maxmemory_policy}, maxmemory ${info.maxmemory_human ?? info.maxmemory}`,
    );
  }
  return [...new Set(found)].join('; ');
}
