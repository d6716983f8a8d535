import { backoffCeiling } from '../common/backoff';

/** Failures of fresh events in a row, with no success between them, after which the lane sends one probe at a time. */
export const PAUSE_AFTER_FAILURES = 5;

/** Attempts on the wire at once, reached in the slow start after a probe succeeds, at which a lane counts as healthy. */
export const RECOVERED_AT = 64;

/** The longest Retry-After a lane honours, ms (a longer one is taken as this): one proxy's answer cannot park a lane for days. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/** One attempt let through the gate; hand it back to `settle` with what the destination did. */
export interface GatePass {
  /** Which attempt at its event this is, from 1. */
  readonly attempt: number;
  /** Whether it counts against a paused or recovering lane's allowance. */
  readonly counted: boolean;
  /** Whether it went as the probe of a paused lane. */
  readonly probe: boolean;
}

/**
 * What an attempt told about the destination: `up` (it answered deliberately, even a refusal of this one
 * event), `down` (unreachable, timed out, 5xx, or asked us to slow down) or `unknown` (the attempt never
 * reached it: a cause of this replica's own).
 */
export type DestinationVerdict = 'up' | 'down' | 'unknown';

/**
 * A circuit breaker for one lane (M. Nygard, "Release It!", 2nd ed., ch. 5 "Circuit Breaker") with a slow start
 * on recovery (as TCP's, RFC 5681 §3.1). After PAUSE_AFTER_FAILURES fresh events in a row failed, the lane pauses:
 * its held deliveries wait here instead of each retrying on its own schedule, and one of them goes as a probe,
 * spaced by the lane's backoff (exponential with equal jitter, at least the destination's Retry-After). After a
 * probe succeeds, each success lets one more on the wire at once, so the allowance doubles with each round of
 * answers (1, 2, 4 … RECOVERED_AT, then no limit); a fresh event failing meanwhile pauses the lane again.
 *
 * Only fresh events (first attempts) and probes are taken as evidence that the destination is down: an event that
 * failed before may fail for reasons of its own (a receiver that always refuses one room), and must not hold back
 * the other lives of the lane. For the same reason the waiter with the fewest attempts goes first, so a probe is a
 * fresh event whenever one waits. A destination that is down costs its lane one request per backoff interval,
 * however many deliveries wait; one that is up but slow is not buried under every held delivery at once.
 *
 * Why not opossum: a breaker there fails calls fast while open, so each held delivery would keep waking on its
 * own backoff and resume up to DELIVERY_BACKOFF_MAX_MS after the destination came back; a lane wants them
 * parked until a probe succeeds, then released in step with the destination's answers.
 */
export class LaneGate {
  private failuresInRow = 0;
  /** Attempts allowed on the wire at once: Infinity while healthy. */
  private allowance = Infinity;
  private onWire = 0;
  /** Epoch ms before which no counted attempt goes (the next probe). */
  private nextProbeAt = 0;
  /** How many deliveries wait here, by attempt number (few distinct numbers, however many wait). */
  private readonly waiting = new Map<number, number>();
  private wake: { promise: Promise<void>; resolve: () => void } = settledLater();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly backoffMs: number,
    private readonly backoffMaxMs: number,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  /** Whether the destination is treated as down or recovering: attempts are rationed. */
  get paused(): boolean {
    return this.allowance !== Infinity;
  }

  /**
   * Waits for this attempt's turn; null when `signal` aborted the wait.
   * @param attempt which attempt at its event this is, from 1: fewer attempts go first
   */
  async admit(signal: AbortSignal, attempt: number): Promise<GatePass | null> {
    if (!this.paused) return { attempt, counted: false, probe: false };
    this.waiting.set(attempt, (this.waiting.get(attempt) ?? 0) + 1);
    let waiting = true;
    const leave = () => {
      if (!waiting) return;
      waiting = false;
      const left = this.waiting.get(attempt)! - 1;
      if (left === 0) this.waiting.delete(attempt);
      else this.waiting.set(attempt, left);
    };
    try {
      while (!signal.aborted) {
        if (!this.paused) return { attempt, counted: false, probe: false };
        if (this.onWire < this.allowance && this.now() >= this.nextProbeAt && this.firstInLine(attempt)) {
          this.onWire++;
          leave();
          this.wakeWaiters(); // another may fit in the allowance too
          return { attempt, counted: true, probe: this.allowance === 1 };
        }
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          signal.addEventListener('abort', stop, { once: true });
          void this.wake.promise.then(() => {
            signal.removeEventListener('abort', stop);
            resolve();
          });
        });
      }
      return null;
    } finally {
      leave();
    }
  }

  /**
   * Records what an admitted attempt found.
   * @param retryAfterMs the destination's own Retry-After, ms (at most MAX_RETRY_AFTER_MS is honoured): no probe goes sooner
   */
  settle(pass: GatePass, verdict: DestinationVerdict, retryAfterMs = 0): void {
    if (pass.counted) this.onWire--;
    if (verdict === 'up') {
      this.failuresInRow = 0;
      if (pass.counted) this.allowance = this.allowance + 1 >= RECOVERED_AT ? Infinity : this.allowance + 1;
    }
    if (verdict === 'down' && (pass.attempt === 1 || pass.probe)) {
      this.failuresInRow++;
      // While rationed, one such failure pauses again; while healthy, only enough of them in a row.
      if (this.paused || this.failuresInRow >= PAUSE_AFTER_FAILURES) {
        this.allowance = 1;
        this.nextProbeAt = this.now() + Math.max(Math.min(retryAfterMs, MAX_RETRY_AFTER_MS), this.probeDelay());
      }
    }
    this.scheduleWake();
  }

  /** Stops the probe timer (the lane stops). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.wakeWaiters();
  }

  private firstInLine(attempt: number): boolean {
    for (const other of this.waiting.keys()) if (other < attempt) return false;
    return true;
  }

  /** Equal jitter: half the ceiling, plus up to half again, so probes of a dead destination never bunch up at 0 ms. */
  private probeDelay(): number {
    const ceiling = backoffCeiling(Math.max(1, this.failuresInRow - PAUSE_AFTER_FAILURES + 1), this.backoffMs, this.backoffMaxMs);
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  /** Wakes the waiters now, and again when the next probe is due (re-armed until then: a timer may fire early). */
  private scheduleWake(): void {
    this.wakeWaiters();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const wait = this.nextProbeAt - this.now();
    if (!this.paused || wait <= 0) return;
    this.timer = setTimeout(() => this.scheduleWake(), wait);
    this.timer.unref();
  }

  private wakeWaiters(): void {
    const { resolve } = this.wake;
    this.wake = settledLater();
    resolve();
  }
}

function settledLater(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
