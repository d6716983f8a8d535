/**
 * Why Redis could not serve a command. Every kind gets the same answer (503 + Retry-After for requests, a later
 * retry for loops) but is counted apart (`led_redis_errors_total{kind}`), because each needs a different fix:
 * - `unreachable`: connection refused, reset or closed, no Sentinel answering (network, Redis down);
 * - `timeout`: no reply within REDIS_COMMAND_TIMEOUT_MS (Redis hung, stopped or overloaded; black-holed network);
 * - `out_of_memory`: `OOM` — used memory reached `maxmemory` under `noeviction` (give Redis more memory);
 * - `read_only`: `READONLY`/`MISCONF`/`NOREPLICAS` — a replica, or a primary refusing writes (failover in progress,
 *   disk full for persistence);
 * - `loading`: `LOADING` — Redis is reading its data set after a restart;
 * - `busy`: `BUSY` — a script ran past `busy-reply-threshold`;
 * - `cluster`: `CLUSTERDOWN`/`TRYAGAIN`/`MASTERDOWN`, slots not known (Cluster or replication reconfiguring);
 * - `auth`: `NOAUTH`/`WRONGPASS`/`NOPERM` — the password or ACL changed under a running service.
 * Anything else (a script error, `WRONGTYPE`) is a fault of the service or of a foreign writer: not a storage outage.
 */
export type StorageFailureKind = 'unreachable' | 'timeout' | 'out_of_memory' | 'read_only' | 'loading' | 'busy' | 'cluster' | 'auth';

/** First match wins; Redis error codes are matched anywhere because a script's failure wraps the command's error. */
const FAILURE_PATTERNS: Array<[StorageFailureKind, RegExp]> = [
  ['timeout', /Command timed out|Socket timeout/],
  ['out_of_memory', /\bOOM command not allowed/],
  ['read_only', /\bREADONLY\b|\bMISCONF\b|\bNOREPLICAS\b/],
  ['loading', /\bLOADING\b/],
  ['busy', /\bBUSY\b/],
  ['cluster', /\bCLUSTERDOWN\b|\bTRYAGAIN\b|\bMASTERDOWN\b|Failed to refresh slots cache/],
  ['auth', /\bNOAUTH\b|\bWRONGPASS\b|\bNOPERM\b/],
  [
    'unreachable',
    /Connection is closed|Stream isn't writeable|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|None of sentinels are available|All sentinels are unreachable/,
  ],
];

/** ioredis errors recognised by name (their messages say little). */
const FAILURE_NAMES: Record<string, StorageFailureKind> = {
  MaxRetriesPerRequestError: 'unreachable',
  ClusterAllFailedError: 'cluster',
};

/**
 * A Redis command failed for a reason outside the service (see StorageFailureKind): the caller should answer 503
 * with Retry-After, or back off and retry. `cause` is the client's original error.
 */
export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError';

  constructor(
    readonly kind: StorageFailureKind,
    override readonly cause: Error,
  ) {
    super(`Redis ${kind.replace('_', ' ')}: ${cause.message}`);
  }
}

/**
 * The typed form of a storage failure: `err` itself when it already is one, a new StorageUnavailableError when `err`
 * is an ioredis error of a known kind, otherwise null (a real fault, which should stay a 500 and be logged).
 */
export function storageFailure(err: unknown): StorageUnavailableError | null {
  if (err instanceof StorageUnavailableError) return err;
  if (!(err instanceof Error)) return null;
  const byName = FAILURE_NAMES[err.name];
  if (byName) return new StorageUnavailableError(byName, err);
  const match = FAILURE_PATTERNS.find(([, pattern]) => pattern.test(err.message));
  return match ? new StorageUnavailableError(match[0], err) : null;
}

/** True when `err` means Redis could not serve the command (storageFailure gives its kind). */
export function isStorageOutage(err: unknown): err is Error {
  return storageFailure(err) !== null;
}
