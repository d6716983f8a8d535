import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, ValidationError } from 'class-validator';
import { jwtVerification } from '../auth/jwt-verification';
import { Environment, SECRET_VARIABLES } from './environment';

export class ConfigurationError extends Error {}

/** Every variable the service reads, derived from the validation rules so the list cannot drift. */
export function environmentVariableNames(): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(Environment, '', true, false);
  return [...new Set(metadata.map((m) => m.propertyName))].sort();
}

/**
 * Reads the service's settings from `env`, applies defaults and validates them.
 * Throws a ConfigurationError whose message is one line naming the offending variable.
 */
export function loadEnvironment(env: NodeJS.ProcessEnv | Record<string, string | undefined>): Environment {
  const given: Record<string, string> = {};
  for (const name of environmentVariableNames()) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') given[name] = value.trim();
  }
  const config = plainToInstance(Environment, given);
  const errors = validateSync(config, { forbidUnknownValues: true });
  if (errors.length > 0) throw new ConfigurationError(describe(errors[0], given));
  if (given.SWEEP_GAP_MS === undefined) config.SWEEP_GAP_MS = derivedSweepGapMs(config);
  checkRelations(config, given);
  return config;
}

function describe(error: ValidationError, given: Record<string, string>): string {
  const name = error.property;
  const reason = Object.values(error.constraints ?? {})[0]?.replace(`${name} `, '') ?? 'is invalid';
  const value = given[name];
  const shown = value === undefined ? 'not set' : SECRET_VARIABLES.has(name) ? 'value hidden' : `got "${value}"`;
  return `Invalid configuration: ${name} ${reason} (${shown})`;
}

/**
 * The default SWEEP_GAP_MS: an outage shorter than the gap threshold goes unnoticed, so the anchor of a
 * room must be able to retry (its client waits up to one beat interval) and still beat before its
 * suspect point. For the shortest room (TIMEOUT_MIN_MS, timings scaled) that is suspect − interval;
 * at most 5 s, and not under two sweep intervals (a normal sweep must not look like an outage) unless the
 * suspect point itself is shorter.
 */
export function derivedSweepGapMs(c: Pick<Environment, 'SUSPECT_AFTER_MS' | 'HEARTBEAT_INTERVAL_MS' | 'HEARTBEAT_TIMEOUT_MS' | 'TIMEOUT_MIN_MS' | 'SWEEP_INTERVAL_MS'>): number {
  const shortestRoom = Math.min(1, c.TIMEOUT_MIN_MS / c.HEARTBEAT_TIMEOUT_MS);
  const tolerance = Math.floor((c.SUSPECT_AFTER_MS - c.HEARTBEAT_INTERVAL_MS) * shortestRoom);
  return Math.min(c.SUSPECT_AFTER_MS, Math.max(2 * c.SWEEP_INTERVAL_MS, Math.min(5000, tolerance)));
}

function checkRelations(c: Environment, given: Record<string, string>): void {
  const fail = (message: string) => {
    throw new ConfigurationError(`Invalid configuration: ${message}`);
  };
  if (c.SUSPECT_AFTER_MS >= c.HEARTBEAT_TIMEOUT_MS)
    fail(`SUSPECT_AFTER_MS (${c.SUSPECT_AFTER_MS}) must be less than HEARTBEAT_TIMEOUT_MS (${c.HEARTBEAT_TIMEOUT_MS})`);
  if (c.HEARTBEAT_INTERVAL_MS >= c.SUSPECT_AFTER_MS)
    fail(`HEARTBEAT_INTERVAL_MS (${c.HEARTBEAT_INTERVAL_MS}) must be less than SUSPECT_AFTER_MS (${c.SUSPECT_AFTER_MS})`);
  if (c.TIMEOUT_MIN_MS > c.HEARTBEAT_TIMEOUT_MS || c.HEARTBEAT_TIMEOUT_MS > c.TIMEOUT_MAX_MS)
    fail(
      `HEARTBEAT_TIMEOUT_MS (${c.HEARTBEAT_TIMEOUT_MS}) must lie between TIMEOUT_MIN_MS (${c.TIMEOUT_MIN_MS}) and TIMEOUT_MAX_MS (${c.TIMEOUT_MAX_MS})`,
    );
  const derived = given.SWEEP_GAP_MS === undefined;
  const gap = `SWEEP_GAP_MS (${c.SWEEP_GAP_MS}${derived ? ', derived' : ''})`;
  if (!derived && c.SWEEP_GAP_MS < 2 * c.SWEEP_INTERVAL_MS) fail(`${gap} must be at least twice SWEEP_INTERVAL_MS (${c.SWEEP_INTERVAL_MS})`);
  // Below that, a normal pause between two sweeps would pass for an outage, and silence would never count.
  if (c.SWEEP_GAP_MS < 1.5 * c.SWEEP_INTERVAL_MS)
    fail(`${gap} must be at least 1.5 times SWEEP_INTERVAL_MS (${c.SWEEP_INTERVAL_MS}): shorten SWEEP_INTERVAL_MS or lengthen SUSPECT_AFTER_MS`);
  // An outage shorter than the gap but longer than the suspect point would interrupt every beating live.
  if (c.SWEEP_GAP_MS > c.SUSPECT_AFTER_MS)
    fail(`${gap} must not exceed SUSPECT_AFTER_MS (${c.SUSPECT_AFTER_MS}): a shorter outage of ours would interrupt lives that beat`);
  // The anchor's next beat must be able to refute an IM offline report before the grace runs out.
  if (c.TENCENT_IM_DISCONNECT_GRACE_MS <= c.HEARTBEAT_INTERVAL_MS)
    fail(
      `TENCENT_IM_DISCONNECT_GRACE_MS (${c.TENCENT_IM_DISCONNECT_GRACE_MS}) must exceed HEARTBEAT_INTERVAL_MS (${c.HEARTBEAT_INTERVAL_MS}): a beating anchor would end 'disconnect' on a false report`,
    );
  if (c.DELIVERY_BACKOFF_MAX_MS * 2 > c.DELIVERY_CLAIM_IDLE_MS)
    fail(
      `DELIVERY_BACKOFF_MAX_MS (${c.DELIVERY_BACKOFF_MAX_MS}) must be at most half DELIVERY_CLAIM_IDLE_MS (${c.DELIVERY_CLAIM_IDLE_MS}), or retries get reclaimed by other replicas`,
    );
  // The service tells a room with the shortest timeout to beat this often; the limit must leave room for retries.
  const fastestBeatsPerSec = 1000 / ((c.HEARTBEAT_INTERVAL_MS * c.TIMEOUT_MIN_MS) / c.HEARTBEAT_TIMEOUT_MS);
  if (c.HEARTBEAT_RATE_PER_SEC > 0 && c.HEARTBEAT_RATE_PER_SEC < 2 * fastestBeatsPerSec)
    fail(
      `HEARTBEAT_RATE_PER_SEC (${c.HEARTBEAT_RATE_PER_SEC}) must be at least ${Math.ceil(2 * fastestBeatsPerSec * 100) / 100}: twice the beat rate asked of a room with TIMEOUT_MIN_MS`,
    );
  if (c.AUTH_MODE === 'jwt') {
    try {
      jwtVerification(c);
    } catch (err) {
      fail((err as Error).message);
    }
  }
  if (c.DELIVERY_BACKOFF_MS > c.DELIVERY_BACKOFF_MAX_MS)
    fail(`DELIVERY_BACKOFF_MS (${c.DELIVERY_BACKOFF_MS}) must not exceed DELIVERY_BACKOFF_MAX_MS (${c.DELIVERY_BACKOFF_MAX_MS})`);
}
