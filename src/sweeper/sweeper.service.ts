import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Environment } from '../config/environment';
import { MetricsService } from '../metrics/metrics.service';
import { KeyLayout } from '../store/key-layout';
import { LiveStore } from '../store/live-store';
import { MassTimeoutGuard } from './mass-timeout-guard';

const INTERVAL_NAME = 'sweep';

/**
 * Judges due lives on every tick, in every replica. Each shard's claim is one atomic script,
 * so replicas racing over the same shard still make each transition once.
 */
@Injectable()
export class SweeperService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SweeperService.name);
  private current: Promise<void> | null = null;
  private stopping = false;

  constructor(
    private readonly env: Environment,
    private readonly store: LiveStore,
    private readonly keys: KeyLayout,
    private readonly scheduler: SchedulerRegistry,
    private readonly guard: MassTimeoutGuard,
    private readonly metrics: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    this.scheduler.addInterval(INTERVAL_NAME, setInterval(() => this.tick(), this.env.SWEEP_INTERVAL_MS));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.scheduler.deleteInterval(INTERVAL_NAME);
    await this.current;
  }

  /** Starts a sweep unless the previous one is still running. */
  tick(): Promise<void> {
    this.current ??= this.sweepAll().finally(() => (this.current = null));
    return this.current;
  }

  private async sweepAll(): Promise<void> {
    const startedAt = process.hrtime.bigint();
    let hold: boolean;
    try {
      hold = await this.guard.shouldHold();
    } catch (err) {
      this.metrics.redisError('sweep');
      this.logger.warn(`sweep skipped: ${(err as Error).message}`);
      return;
    }
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
      this.metrics.redisError('sweep');
      this.logger.warn(`sweep failed on ${failed.length} shard(s): ${failed[0].reason}`);
      return;
    }
    // Only complete sweeps count: "no sweeps" alerts on this histogram's _count standing still.
    this.metrics.sweepTook(Number(process.hrtime.bigint() - startedAt) / 1e9);
  }

  /** Claims batch after batch until the shard has nothing more due; sums what the batches did. */
  private async sweepShard(shard: number, hold: boolean): Promise<{ ended: number; gapMs: number; rescheduled: number }> {
    const total = { ended: 0, gapMs: 0, rescheduled: 0 };
    for (;;) {
      const outcome = await this.store.sweepShard(shard, this.env.SWEEP_BATCH, hold);
      total.ended += outcome.ended;
      total.gapMs = Math.max(total.gapMs, outcome.gapMs);
      total.rescheduled += outcome.rescheduled;
      if (outcome.claimed < this.env.SWEEP_BATCH || this.stopping) return total;
    }
  }
}
