import type { LuaCommands } from '../../store/lua-scripts';
import type { RedisClient } from '../../store/redis-connection';

/**
 * The app-wide IM call budget, kept in Redis (im-rate-1.lua, GCRA) so that all replicas together
 * stay under `ratePerSec`. A small burst (20 ms worth) absorbs timer jitter. The steady rate is lowered by
 * twice the burst: once for the burst itself, once for calls granted on time that reach IM late (event-loop
 * and network jitter), so no one-second window at IM holds more than `ratePerSec` (IM refuses the excess
 * with 60007). At 200/s: 192/s sustained (measured by bench/delivery.ts).
 */
export class ImRateLimiter {
  private readonly intervalUs: number;
  readonly burst: number;

  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
    ratePerSec: number,
  ) {
    this.burst = Math.max(1, Math.floor(ratePerSec / 50));
    this.intervalUs = 1e6 / Math.max(1, ratePerSec - (this.burst > 1 ? 2 * this.burst : 0));
  }

  /** Takes up to `wanted` calls; when none is free, says how many ms until one is. */
  async take(wanted: number): Promise<{ granted: number; waitMs: number }> {
    const [granted, waitMs] = await (this.redis as unknown as LuaCommands).imRate(this.key, this.intervalUs, this.burst, wanted);
    return { granted: Number(granted), waitMs: Number(waitMs) };
  }
}
