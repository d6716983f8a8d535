import type { LuaCommands } from '../../store/lua-scripts';
import type { RedisClient } from '../../store/redis-connection';

/**
 * The app-wide IM call budget, kept in Redis (im-rate-1.lua, GCRA) so that all replicas together
 * stay under `ratePerSec`. A small burst (20 ms worth) absorbs timer jitter without exceeding the
 * rate by more than that in any window.
 */
export class ImRateLimiter {
  private readonly intervalUs: number;
  readonly burst: number;

  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
    ratePerSec: number,
  ) {
    this.intervalUs = 1e6 / ratePerSec;
    this.burst = Math.max(1, Math.floor(ratePerSec / 50));
  }

  /** Takes up to `wanted` calls; when none is free, says how many ms until one is. */
  async take(wanted: number): Promise<{ granted: number; waitMs: number }> {
    const [granted, waitMs] = await (this.redis as unknown as LuaCommands).imRate(this.key, this.intervalUs, this.burst, wanted);
    return { granted: Number(granted), waitMs: Number(waitMs) };
  }
}
