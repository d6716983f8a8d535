/**
 * One-shot timers that sweep a shard again when its earliest live falls due, instead of waiting for the
 * next full pass (SWEEP_INTERVAL_MS): this is what keeps detection lag to a fraction of the interval, while
 * a shard with nothing due costs no more than the full pass. A shard is visited at most every `minGapMs`
 * per replica, so lives falling due one after another share sweeps; a small random delay keeps replicas
 * that learnt the same deadline from all arriving at once (the first one claims, the others find nothing).
 */
export class ShardTimers {
  private readonly timers = new Map<number, { timer: NodeJS.Timeout; at: number }>();

  constructor(
    private readonly minGapMs: number,
    /** Deadlines this far off are left to the next full pass. */
    private readonly horizonMs: number,
    private readonly sweep: (shard: number) => void,
  ) {}

  /** `dueInMs`: when the shard's earliest live falls due, from now (Redis's clock, as the sweep reported it); -1: none. */
  arm(shard: number, dueInMs: number): void {
    this.disarm(shard);
    if (dueInMs < 0 || dueInMs >= this.horizonMs) return;
    const delayMs = Math.max(dueInMs, this.minGapMs) + Math.random() * (this.minGapMs / 4);
    const timer = setTimeout(() => {
      this.timers.delete(shard);
      this.sweep(shard);
    }, delayMs);
    timer.unref();
    this.timers.set(shard, { timer, at: Date.now() + delayMs });
  }

  /** Like arm, but only when it brings the shard's visit forward (a live that started falls due sooner than what was known). */
  armNoLaterThan(shard: number, dueInMs: number): void {
    const armed = this.timers.get(shard);
    if (armed && armed.at <= Date.now() + dueInMs) return;
    this.arm(shard, dueInMs);
  }

  disarm(shard: number): void {
    const armed = this.timers.get(shard);
    if (armed) clearTimeout(armed.timer);
    this.timers.delete(shard);
  }

  clear(): void {
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
