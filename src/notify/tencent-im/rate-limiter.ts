import type { LuaCommands } from '../../store/lua-scripts';
import type { RedisClient } from '../../store/redis-connection';

/** How long one replica's "endings are waiting" mark holds back other notices unless renewed (its pump renews it every few ms). */
const ENDED_WAITING_HOLD_MS = 100;

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

  /**
   * Takes up to `wanted` calls, `wantedEnded` of them for endings; while any replica's endings wait,
   * only endings get calls. When none is free, says how many ms until one may be.
   */
  async take(wanted: number, wantedEnded = 0): Promise<{ granted: number; waitMs: number }> {
    const [granted, waitMs] = await (this.redis as unknown as LuaCommands).imRate(
      this.key, this.intervalUs, this.burst, wanted, wantedEnded, ENDED_WAITING_HOLD_MS,
    );
    return { granted: Number(granted), waitMs: Number(waitMs) };
  }
}
