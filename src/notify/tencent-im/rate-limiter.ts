import type { LuaCommands } from '../../store/lua-scripts';
import type { RedisClient } from '../../store/redis-connection';

/** How long one replica's "endings are waiting" mark holds back other notices unless renewed (its pump renews it every few ms). */
const ENDED_WAITING_HOLD_MS = 100;

/**
 * The most a granted call may wait, from asking the limiter to going on the wire; a grant older than that is
 * dropped and asked for again (send-queue.ts), so a stalled replica cannot send stale grants in one bunch.
 * Covers a Redis round trip on a busy replica (99th percentile about 15 ms in bench/delivery.ts).
 */
export const GRANT_TTL_MS = 25;

/** Room for calls that reach IM a little later than others (network, IM's own front end). */
const ARRIVAL_MARGIN_MS = 15;

/**
 * The app-wide IM call budget, kept in Redis (im-rate-3.lua) so that all replicas together stay under
 * `ratePerSec` in every one-second window at IM (which refuses the excess with 60007). Calls are paced at the
 * rate with a small burst (20 ms worth), and capped at `ratePerSec` per window of 1 s + GRANT_TTL_MS +
 * ARRIVAL_MARGIN_MS (1.04 s): at 200/s, 192/s sustained, and the time lost to a stall is made up afterwards.
 */
export class ImRateLimiter {
  private readonly intervalUs: number;
  private readonly windowUs = (1000 + GRANT_TTL_MS + ARRIVAL_MARGIN_MS) * 1000;
  readonly burst: number;

  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
    private readonly ratePerSec: number,
  ) {
    this.burst = Math.max(1, Math.floor(ratePerSec / 50));
    this.intervalUs = 1e6 / Math.max(1, ratePerSec);
  }

  /**
   * Takes up to `wanted` calls, `wantedEnded` of them for endings; while any replica's endings wait,
   * only endings get calls. When none is free, says how many ms until one may be.
   */
  async take(wanted: number, wantedEnded = 0): Promise<{ granted: number; waitMs: number }> {
    const [granted, waitMs] = await (this.redis as unknown as LuaCommands).imRate(
      this.key, `${this.key}:sent`, `${this.key}:ended-waiting`,
      this.intervalUs, this.burst, this.ratePerSec, this.windowUs, wanted, wantedEnded, ENDED_WAITING_HOLD_MS,
    );
    return { granted: Number(granted), waitMs: Number(waitMs) };
  }
}
