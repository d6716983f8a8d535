import { Injectable, Logger } from '@nestjs/common';
import { ConfigSection, InjectConfig } from '../config/sections';
import { MetricsService } from '../metrics/metrics.service';
import { Clock } from '../store/clock';
import { GuardCounters } from '../store/guard-counters';
import { KeyLayout } from '../store/key-layout';
import { LiveStore } from '../store/live-store';

const BUCKETS_PER_WINDOW = 6;

export interface GuardStatus {
  enabled: boolean;
  engaged: boolean;
  /** Lives that ended for silence in the window plus interrupted ones that will end within it. */
  wouldEnd: number;
  /** Of wouldEnd: lives that already ended for silence within the last window. */
  endedInWindow: number;
  /** Of wouldEnd: interrupted lives that end within the next window unless they beat again (still to come). */
  dueToEnd: number;
  /** Lives tracked (running, interrupted, and ended for silence in the window). */
  tracked: number;
  maxShare: number;
  minCount: number;
  /** Epoch ms until which an operator let held endings through, or null. */
  releasedUntil: number | null;
}

/**
 * Holds silence-endings when an unusually large share of lives would end in one window: then the
 * likelier cause is on our side (ingress, network, a bad release) and ending everyone would kill
 * real broadcasts' audiences. Modelled on the Kubernetes node lifecycle controller, which stops
 * evicting when a whole zone looks down. State is derived from Redis (GuardCounters), so all replicas agree.
 */
@Injectable()
export class MassTimeoutGuard {
  private readonly logger = new Logger(MassTimeoutGuard.name);
  private engaged = false;

  constructor(
    @InjectConfig('sweeper') private readonly env: ConfigSection<'sweeper'>,
    private readonly store: LiveStore,
    private readonly keys: KeyLayout,
    private readonly counters: GuardCounters,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
  ) {}

  /** Whether the next sweep must hold silence-endings. Costs one script call per shard and one MGET. */
  async shouldHold(): Promise<boolean> {
    if (!this.env.GUARD_ENABLED) return false;
    const status = await this.status();
    if (status.engaged !== this.engaged) {
      this.engaged = status.engaged;
      this.metrics.setGuardEngaged(status.engaged);
      const figures = `${status.wouldEnd} of ${status.tracked} lives would end within ${this.env.GUARD_WINDOW_MS} ms`;
      if (status.engaged) this.logger.error(`mass-timeout guard engaged, holding endings: ${figures}`);
      else this.logger.warn(`mass-timeout guard released: ${figures}`);
    }
    return status.engaged;
  }

  async status(): Promise<GuardStatus> {
    const [counts, endedRecently, releaseLeftMs] = await Promise.all([
      Promise.all(this.keys.allShards().map((shard) => this.store.shardCounts(shard, this.env.GUARD_WINDOW_MS))),
      this.counters.endingsIn(this.windowBuckets()),
      this.counters.releaseLeftMs(),
    ]);
    const dueToEnd = counts.reduce((sum, c) => sum + c.dueToEnd, 0);
    const tracked = counts.reduce((sum, c) => sum + c.running + c.interrupted, 0) + endedRecently;
    const wouldEnd = endedRecently + dueToEnd;
    const releasedUntil = releaseLeftMs > 0 ? this.clock.now() + releaseLeftMs : null;
    const tooMany = wouldEnd >= this.env.GUARD_MIN_COUNT && wouldEnd > this.env.GUARD_MAX_SHARE * tracked;
    return {
      enabled: this.env.GUARD_ENABLED,
      engaged: this.env.GUARD_ENABLED && tooMany && releasedUntil === null,
      wouldEnd,
      endedInWindow: endedRecently,
      dueToEnd,
      tracked,
      maxShare: this.env.GUARD_MAX_SHARE,
      minCount: this.env.GUARD_MIN_COUNT,
      releasedUntil,
    };
  }

  /** Counts silence-endings, so that endings spread over the window add up. */
  async recordEndings(count: number): Promise<void> {
    if (count === 0 || !this.env.GUARD_ENABLED) return;
    await this.counters.addEndings(this.currentBucket(), count, this.env.GUARD_WINDOW_MS * 2);
  }

  /** An operator confirms the endings are real: let them through for one window. */
  async release(): Promise<GuardStatus> {
    await this.counters.release(this.env.GUARD_WINDOW_MS, this.clock.now());
    this.logger.warn('mass-timeout guard released by an operator');
    return this.status();
  }

  private currentBucket(): number {
    return Math.floor(this.clock.now() / (this.env.GUARD_WINDOW_MS / BUCKETS_PER_WINDOW));
  }

  private windowBuckets(): number[] {
    const current = this.currentBucket();
    return Array.from({ length: BUCKETS_PER_WINDOW }, (_, i) => current - i);
  }
}
