import { memoryPolicyProblem, parseInfo, versionProblem } from './redis-preflight';

describe('Redis server checks at connect', () => {
  it('reads the fields of an INFO reply', () => {
    const info = parseInfo('# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\n\r\n# Memory\r\nmaxmemory_policy:noeviction\r\n');
    expect(info).toMatchObject({ redis_version: '7.0.15', redis_mode: 'standalone', maxmemory_policy: 'noeviction' });
  });

  it('accepts Redis 6.2.0 and later (Valkey reports a Redis-compatible version)', () => {
    for (const version of ['6.2.0', '6.2.14', '7.0.15', '7.2.4', '8.0.0', '10.0.0']) expect(versionProblem('Redis', version)).toBeNull();
  });

  it('refuses a Redis older than 6.2, naming the version found, the one needed and why', () => {
    for (const version of ['6.0.20', '6.1.9', '5.0.14', '4.0.0']) {
      const problem = versionProblem('Redis at db:6379', version);
      expect(problem).toContain(`Redis at db:6379 runs Redis ${version}`);
      expect(problem).toContain('6.2.0 or later');
      expect(problem).toContain('XAUTOCLAIM');
    }
    expect(versionProblem('Redis', undefined)).toContain('did not report its version');
    expect(versionProblem('Redis', 'unknown')).toContain('did not report its version');
  });

  it('accepts only noeviction; refuses any evicting policy naming it and what to set, unless allowed (then a warning)', () => {
    expect(memoryPolicyProblem('Redis', 'noeviction', false)).toEqual({});
    for (const policy of [
      'volatile-lru',
      'allkeys-lru',
      'volatile-ttl',
      'allkeys-random',
      'volatile-lfu',
      'allkeys-lfu',
      'volatile-random',
    ]) {
      const { refuse, warn } = memoryPolicyProblem('Redis at db:6379', policy, false);
      expect(warn).toBeUndefined();
      expect(refuse).toContain(`maxmemory-policy ${policy}`);
      expect(refuse).toContain('Set maxmemory-policy noeviction');
      expect(refuse).toContain('REDIS_ALLOW_EVICTION=true');
      const allowed = memoryPolicyProblem('Redis at db:6379', policy, true);
      expect(allowed.refuse).toBeUndefined();
      expect(allowed.warn).toMatch(/^REDIS_ALLOW_EVICTION=true: Redis at db:6379 has maxmemory-policy/);
    }
    expect(memoryPolicyProblem('Redis', undefined, false).refuse).toContain('no maxmemory-policy');
  });
});
