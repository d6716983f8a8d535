import type { LuaCommands } from '../../store/lua-scripts';
import type { RedisClient } from '../../store/redis-connection';

/** How long one replica's "endings are waiting" mark holds back other notices unless renewed (its pump renews it every few ms). */
const ENDED_WAITING_HOLD_MS = 100;

/**
 * The most a granted call may wait, from asking the limiter to going on the wire; an older grant is given
 * back unsent and asked for again (send-queue.ts), so a stalled replica cannot send stale grants in one
 * bunch. Covers a Redis round trip on a busy replica (99th percentile 12–15 ms in bench/delivery.ts).
 */
export const GRANT_TTL_MS = 20;

/** One IM call granted by the limiter; `slot` gives it back if it is not sent. */
export interface ImCallGrant {
  slot: string;
}

/**
 * The app-wide IM call budget, kept in Redis (im-rate-3.lua) so that all replicas together stay under
 * `ratePerSec` in every one-second window at IM (which refuses the excess with 60007):
 * - at most `ratePerSec` minus 20 ms worth of calls (196 at 200/s) are granted in any window of
 *   1 s + GRANT_TTL_MS, and a grant is used within GRANT_TTL_MS or given back: so any one second of calls
 *   leaving the replicas holds at most 196, and calls reaching IM up to about 20 ms late (network, IM's
 *   front end) still fit under 200. That is 192/s sustained; the time a stall costs is made up after it.
 * - calls are paced at the full rate, 20 ms worth at once, so a window's worth does not go in one bunch.
 */
export class ImRateLimiter {
  private readonly intervalUs: number;
  private readonly perWindow: number;
  private readonly windowUs = (1000 + GRANT_TTL_MS) * 1000;
  readonly burst: number;

  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
    ratePerSec: number,
  ) {
    this.burst = Math.max(1, Math.floor(ratePerSec / 50));
    this.intervalUs = 1e6 / Math.max(1, ratePerSec);
    this.perWindow = Math.max(1, ratePerSec - this.burst);
  }

  /**
   * Takes up to `wanted` calls, `wantedEnded` of them for endings; while any replica's endings wait,
   * only endings get calls. When none is free, says how many ms until one may be.
   */
  async take(wanted: number, wantedEnded = 0): Promise<{ granted: ImCallGrant[]; waitMs: number }> {
    const [, waitMs, ...slots] = await this.commands.imRate(
      this.key, this.sentKey, `${this.key}:ended-waiting`,
      this.intervalUs, this.burst, this.perWindow, this.windowUs, wanted, wantedEnded, ENDED_WAITING_HOLD_MS,
    );
    return { granted: slots.map((slot) => ({ slot: String(slot) })), waitMs: Number(waitMs) };
  }

  /** Gives back a call that was granted but not sent, so the window does not count it. */
  async giveBack(grant: ImCallGrant): Promise<void> {
    await this.redis.zrem(this.sentKey, grant.slot);
  }

  private get sentKey(): string {
    return `${this.key}:sent`;
  }

  private get commands(): LuaCommands {
    return this.redis as unknown as LuaCommands;
  }
}
