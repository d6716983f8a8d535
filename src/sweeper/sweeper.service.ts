import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { ConfigSection, InjectConfig } from '../config/sections';
import { storageFailure } from '../common/storage-failure';
import { MetricsService } from '../metrics/metrics.service';
import { KeyLayout } from '../store/key-layout';
import { LiveStore } from '../store/live-store';
import { MassTimeoutGuard } from './mass-timeout-guard';
import { DueSoonSignal } from './due-soon';
import { ShardTimers } from './shard-timers';

const INTERVAL_NAME = 'sweep';
/** Longest pause between sweep attempts while they fail (unless SWEEP_INTERVAL_MS is longer). */
const BACKOFF_MAX_MS = 2000;

/**
 * Judges due lives, in every replica: a full pass over every shard each SWEEP_INTERVAL_MS (the mass-timeout
 * guard is asked then), and in between a shard is swept again when its earliest live falls due (ShardTimers),
 * so a live ends within a small fraction of the interval after its deadline. Each shard's claim is one atomic
 * script, so replicas racing over the same shard still make each transition once. While full passes fail (Redis
 * away, hung, full), they back off exponentially up to 2 s and the shard timers pause, with one warning when
 * sweeps start failing and one line when they succeed again; the pass after a long gap gives lives a fresh grace
 * (SWEEP_GAP_MS), so nothing ends for the time Redis was away.
 */
@Injectable()
export class SweeperService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SweeperService.name);
  private current: Promise<void> | null = null;
  private stopping = false;
  /** While sweeps fail: since when, how many attempts, and when the next may start (epoch ms). */
  private failure: { since: number; attempts: number; retryAt: number } | null = null;
  /** The guard's answer at the last full pass; sweeps between passes follow it. */
  private hold = false;
  private readonly timers: ShardTimers;
  /** Shards this replica is sweeping now. */
  private readonly inFlight = new Set<number>();

  constructor(
    @InjectConfig('sweeper') private readonly env: ConfigSection<'sweeper'>,
    private readonly store: LiveStore,
    private readonly keys: KeyLayout,
    private readonly scheduler: SchedulerRegistry,
    private readonly guard: MassTimeoutGuard,
    private readonly metrics: MetricsService,
    dueSoon: DueSoonSignal,
  ) {
    // A tenth of the interval between visits of one shard: a lag of ~100 ms at the default 1 s.
    this.timers = new ShardTimers(
      Math.max(5, Math.round(env.SWEEP_INTERVAL_MS / 10)),
      env.SWEEP_INTERVAL_MS,
      (shard) => void this.sweepDue(shard),
    );
    dueSoon.listen((roomId, dueInMs) => {
      if (!this.stopping) this.timers.armNoLaterThan(keys.shardOf(roomId), dueInMs);
    });
  }

  /**
   * Sweeps every shard once before the HTTP server listens, then every SWEEP_INTERVAL_MS. The first pass records in
   * each shard when it was last watched: the sweep-gap rule needs that record, and a shard never swept before has
   * none, so lives started there and then caught by an outage of ours within the first interval were judged as if
   * we had been watching (false interruptions after a restart).
   */
  async onApplicationBootstrap(): Promise<void> {
    this.scheduler.addInterval(
      INTERVAL_NAME,
      setInterval(() => this.tick(), this.env.SWEEP_INTERVAL_MS),
    );
    await this.tick();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.scheduler.deleteInterval(INTERVAL_NAME);
    this.timers.clear();
    await this.current;
  }

  /** Starts a sweep unless the previous one is still running or failed sweeps are backing off. */
  tick(): Promise<void> {
    if (this.failure && Date.now() < this.failure.retryAt) return this.current ?? Promise.resolve();
    this.current ??= this.sweepAll().finally(() => (this.current = null));
    return this.current;
  }

  /** Backs off: one warning when sweeps start failing, then silence until they succeed (sweepSucceeded). */
  private sweepFailed(err: unknown, what: string): void {
    this.metrics.redisError('sweep', err);
    const now = Date.now();
    if (!this.failure) {
      this.failure = { since: now, attempts: 0, retryAt: now };
      const failure = storageFailure(err);
      this.logger.warn(
        `${what}: ${failure?.message ?? (err as Error)?.message ?? String(err)}; retrying with back-off (up to ${this.backoffMaxMs()} ms), one line when sweeps succeed again`,
      );
    }
    this.failure.attempts++;
    this.failure.retryAt = now + Math.min(this.env.SWEEP_INTERVAL_MS * 2 ** this.failure.attempts, this.backoffMaxMs());
  }

  private sweepSucceeded(): void {
    if (!this.failure) return;
    this.logger.log(`sweeps succeed again after ${Date.now() - this.failure.since} ms (${this.failure.attempts} failed attempt(s))`);
    this.failure = null;
  }

  private backoffMaxMs(): number {
    return Math.max(this.env.SWEEP_INTERVAL_MS, BACKOFF_MAX_MS);
  }

  private async sweepAll(): Promise<void> {
    const startedAt = process.hrtime.bigint();
    let hold: boolean;
    try {
      hold = await this.guard.shouldHold();
    } catch (err) {
      this.sweepFailed(err, 'sweeps failing (guard check)');
      return;
    }
    this.hold = hold;
    const results = await Promise.allSettled(this.keys.allShards().map((shard) => this.sweepShard(shard, hold)));
    const swept = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    await this.guard.recordEndings(swept.reduce((sum, r) => sum + r.ended, 0)).catch(() => undefined);
    const afterGap = swept.filter((r) => r.gapMs > 0);
    if (afterGap.length > 0) {
      const gapMs = Math.max(...afterGap.map((r) => r.gapMs));
      const rescheduled = afterGap.reduce((sum, r) => sum + r.rescheduled, 0);
      this.logger.warn(
        `${afterGap.length} shard(s) not swept for up to ${gapMs} ms (service or Redis down): silence counts from now, ${rescheduled} live(s) given a fresh grace`,
      );
    }
    const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    if (failed.length > 0) {
      this.sweepFailed(failed[0].reason, `sweeps failing on ${failed.length} of ${results.length} shard(s)`);
      return;
    }
    this.sweepSucceeded();
    // Only complete sweeps count: "no sweeps" alerts on this histogram's _count standing still.
    this.metrics.sweepTook(Number(process.hrtime.bigint() - startedAt) / 1e9);
  }

  /** A shard's timer fired: its earliest live is due now. A failure is left to the next full pass (which backs off). */
  private async sweepDue(shard: number): Promise<void> {
    if (this.stopping || this.failure || this.inFlight.has(shard)) return;
    try {
      const { ended } = await this.sweepShard(shard, this.hold);
      await this.guard.recordEndings(ended);
    } catch (err) {
      this.metrics.redisError('sweep', err);
    }
  }

  /** Claims batch after batch until the shard has nothing more due; sums what the batches did; arms its timer. */
  private async sweepShard(shard: number, hold: boolean): Promise<{ ended: number; gapMs: number; rescheduled: number }> {
    const total = { ended: 0, gapMs: 0, rescheduled: 0 };
    this.inFlight.add(shard);
    try {
      for (;;) {
        const outcome = await this.store.sweepShard(shard, this.env.SWEEP_BATCH, hold);
        total.ended += outcome.ended;
        total.gapMs = Math.max(total.gapMs, outcome.gapMs);
        total.rescheduled += outcome.rescheduled;
        if (this.stopping) return total;
        if (outcome.claimed < this.env.SWEEP_BATCH) {
          this.timers.arm(shard, outcome.nextDueInMs);
          return total;
        }
      }
    } finally {
      this.inFlight.delete(shard);
    }
  }
}
