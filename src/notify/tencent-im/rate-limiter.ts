import type { ImRateStore } from '../../store/im-rate-store';

/**
 * The most a call may leave after its slot; a call that cannot go by then is given back unsent and asked for
 * again (send-queue.ts), so a stalled replica never sends stale calls in one bunch. The limiter's window is one
 * second plus this, so any one second of calls leaving the replicas holds at most `limit`. Short, so that little
 * of the margin under the rate goes to it; an event loop late by more gives the call back (staleGrants).
 */
export const LATE_MS = 10;

/** Booked ahead beyond two slow round trips, ms: the answer's way back and the event loop's turn. */
const HORIZON_MARGIN_MS = 30;

/** Round trips remembered to judge how far ahead to book. */
const RTT_SAMPLES = 20;

/** One IM call the limiter granted: send it at `at` (this process's clock, epoch ms), or give `slot` back. */
export interface ImCallGrant {
  slot: number;
  at: number;
}

/**
 * The app-wide IM call budget, kept in Redis (im-rate-3.lua) so that all replicas together stay under
 * `ratePerSec` in every one-second window at IM (which refuses the excess with 60007):
 * - calls get send times (slots) one interval apart at the full rate, and at most `ratePerSec` minus 20 ms
 *   worth of them (196 at 200/s) in any 1 s + LATE_MS: each call leaves within LATE_MS of its slot, so no second
 *   of calls leaving the replicas holds more than 196, and calls reaching IM up to about 20 ms apart from their
 *   neighbours (network, IM's front end) still fit under the rate. That is 194/s sustained at 200/s.
 * - slots are booked ahead, up to about two round trips to Redis, and mapped onto this process's clock from the
 *   Redis time each answer carries (corrected by half the round trip): the round trip delays nothing but the
 *   first call, so 1, 25 or 50 ms to Redis drain at the same rate.
 */
export class ImRateLimiter {
  private readonly intervalUs: number;
  private readonly limit: number;
  private readonly windowUs = (1000 + LATE_MS) * 1000;
  /** Calls that may go at once (20 ms worth): the margin kept under the rate. */
  readonly burst: number;
  private readonly rtts: number[] = [];
  /** Redis clock minus this process's clock, ms, from the answer with the shortest round trip lately. */
  private offsetMs = 0;
  private offsetRtt = Infinity;
  private offsetAt = 0;

  constructor(
    private readonly store: ImRateStore,
    ratePerSec: number,
  ) {
    this.burst = Math.max(1, Math.floor(ratePerSec / 50));
    this.intervalUs = 1e6 / Math.max(1, ratePerSec);
    this.limit = Math.max(1, ratePerSec - this.burst);
  }

  /**
   * Recent round trips to Redis, ms: the typical one (median), which sets how soon a booked call may go, and a
   * slow one (90th percentile), which sets how far ahead to book. An event-loop stall inflates a sample: the
   * median ignores stalls, so they do not add to every call's wait.
   */
  get roundTripMs(): { typical: number; slow: number } {
    if (this.rtts.length === 0) return { typical: 5, slow: 5 };
    const sorted = this.rtts.slice().sort((a, b) => a - b);
    return { typical: sorted[Math.floor(sorted.length / 2)], slow: sorted[Math.floor(sorted.length * 0.9)] };
  }

  /** How many calls this replica may have booked ahead at most (its horizon's worth at the rate, plus one). */
  get bookedAheadMax(): number {
    return Math.ceil(((2 * this.roundTripMs.slow + HORIZON_MARGIN_MS) * 1000) / this.intervalUs) + 1;
  }

  /**
   * Books up to `wanted` calls, `wantedEnded` of them for endings; while any replica's endings wait, only
   * endings get calls. When none is free, says how many ms until asking again may help.
   * @throws the Redis error when the limiter is unreachable
   */
  async take(wanted: number, wantedEnded = 0): Promise<{ granted: ImCallGrant[]; waitMs: number }> {
    const { typical, slow } = this.roundTripMs;
    const askedAt = Date.now();
    const answer = await this.store.take({
      intervalUs: this.intervalUs,
      limit: this.limit,
      windowUs: this.windowUs,
      wanted,
      wantedEnded,
      holdMs: Math.max(100, Math.ceil(3 * slow)),
      // The answer needs half a round trip to get here, and the event loop a moment to act on it.
      minAheadUs: Math.ceil((typical * 0.75 + 5) * 1000),
      horizonUs: Math.ceil((2 * slow + HORIZON_MARGIN_MS) * 1000),
    });
    const answeredAt = Date.now();
    this.learn(askedAt, answeredAt, answer.redisNowUs / 1000);
    return {
      granted: answer.slots.map((slot) => ({ slot, at: slot / 1000 - this.offsetMs })),
      waitMs: answer.waitMs,
    };
  }

  /** Gives back a call that was granted but not sent, so the window does not count it. */
  async giveBack(grant: ImCallGrant): Promise<void> {
    await this.store.giveBack(grant.slot);
  }

  /** Keeps the round trip and the clock offset (from the shortest recent round trip: the least skewed one). */
  private learn(askedAt: number, answeredAt: number, redisNowMs: number): void {
    const rtt = answeredAt - askedAt;
    this.rtts.push(rtt);
    if (this.rtts.length > RTT_SAMPLES) this.rtts.shift();
    if (rtt <= this.offsetRtt || answeredAt - this.offsetAt > 10000) {
      this.offsetMs = redisNowMs - (askedAt + answeredAt) / 2;
      this.offsetRtt = rtt;
      this.offsetAt = answeredAt;
    }
  }
}
