import { Inject, Injectable } from '@nestjs/common';
import { KeyLayout } from './key-layout';
import { REDIS } from './redis.tokens';
import type { RedisClient } from './redis-connection';

/**
 * The mass-timeout guard's shared state (src/sweeper/mass-timeout-guard.ts holds its rules): silence-endings
 * counted per time bucket, and an operator's release. All in the `{guard}` slot, so every replica agrees.
 */
@Injectable()
export class GuardCounters {
  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly keys: KeyLayout,
  ) {}

  /** Adds `count` silence-endings to `bucket`; the bucket's key expires after `keepMs`. */
  async addEndings(bucket: number, count: number, keepMs: number): Promise<void> {
    const key = this.keys.guardEndings(bucket);
    await this.redis.multi().incrby(key, count).pexpire(key, keepMs).exec();
  }

  /** Silence-endings counted in these buckets, summed (one MGET). */
  async endingsIn(buckets: number[]): Promise<number> {
    const counts = await this.redis.mget(...buckets.map((bucket) => this.keys.guardEndings(bucket)));
    return counts.reduce((sum, value) => sum + Number(value ?? 0), 0);
  }

  /** Lets held endings through for `forMs`; `at` (epoch ms) is kept as the value, for operators reading Redis. */
  async release(forMs: number, at: number): Promise<void> {
    await this.redis.set(this.keys.guardRelease(), String(at), 'PX', forMs);
  }

  /** Milliseconds the operator's release still holds, or 0. */
  async releaseLeftMs(): Promise<number> {
    return Math.max(0, await this.redis.pttl(this.keys.guardRelease()));
  }
}
