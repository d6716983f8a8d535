import { isStorageOutage, storageFailure, StorageUnavailableError } from './storage-failure';

/** Error texts as ioredis and Redis 6.2–7.x produce them (a script's failure carries the command's error code). */
const CASES: Array<[string, string, string?]> = [
  ['timeout', 'Command timed out'],
  ['timeout', "Socket timeout. Expecting data, but didn't receive any in 2000ms."],
  ['out_of_memory', "OOM command not allowed when used memory > 'maxmemory'."],
  [
    'out_of_memory',
    "OOM command not allowed when used memory > 'maxmemory'. script: 1b936e3fe509bcbc9cd0664897bbe8fd0cac101b, on @user_script:12.",
  ],
  ['read_only', "READONLY You can't write against a read only replica."],
  ['read_only', 'MISCONF Redis is configured to save RDB snapshots, but it is currently not able to persist on disk.'],
  ['loading', 'LOADING Redis is loading the dataset in memory'],
  ['busy', 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSCRIPT.'],
  ['cluster', 'CLUSTERDOWN The cluster is down'],
  ['cluster', 'TRYAGAIN Multiple keys request during rehashing of slot'],
  ['cluster', 'MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to no'],
  ['cluster', 'Failed to refresh slots cache.', 'ClusterAllFailedError'],
  ['auth', 'NOAUTH Authentication required.'],
  ['auth', 'WRONGPASS invalid username-password pair or user is disabled.'],
  ['unreachable', 'Connection is closed.'],
  ['unreachable', "Stream isn't writeable and enableOfflineQueue options is false"],
  ['unreachable', 'connect ECONNREFUSED 127.0.0.1:6379'],
  [
    'unreachable',
    'Reached the max retries per request limit (which is 1). Refer to "maxRetriesPerRequest" option for details.',
    'MaxRetriesPerRequestError',
  ],
];

describe('storage failures', () => {
  // Every row gets three values: a test function with more parameters than the row would be taken as done-callback style.
  it.each(CASES.map(([kind, message, name]) => [kind, message, name ?? '']))('%s: %s', (kind, message, name) => {
    const err = new Error(message);
    if (name) err.name = name;
    const failure = storageFailure(err);
    expect(failure).toBeInstanceOf(StorageUnavailableError);
    expect(failure?.kind).toBe(kind);
    expect(failure?.cause).toBe(err);
    expect(storageFailure(failure)).toBe(failure);
  });

  it('a fault of the service or of a foreign writer is not a storage outage (it stays a 500, logged)', () => {
    for (const message of [
      'WRONGTYPE Operation against a key holding the wrong kind of value',
      'ERR user_script:3: attempt to compare nil with number script: 1b93…, on @user_script:3.',
      "ERR unknown command 'xautoclaim'",
    ]) {
      expect(isStorageOutage(new Error(message))).toBe(false);
    }
    expect(storageFailure('not an error')).toBeNull();
  });
});
