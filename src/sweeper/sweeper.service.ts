import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Environment } from '../config/environment';
import { OutboxSignal } from '../notify/outbox-signal';
import { KeyLayout } from '../store/key-layout';
import { LiveStore } from '../store/live-store';
import { MetricsService } from '../metrics/metrics.service';

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
    private readonly signal: OutboxSignal,
    private readonly scheduler: SchedulerRegistry,
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
    const results = await Promise.allSettled(this.keys.allShards().map((shard) => this.sweepShard(shard)));
    const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    if (failed.length > 0) {
      this.metrics.redisError('sweep');
      this.logger.warn(`sweep failed on ${failed.length} shard(s): ${failed[0].reason}`);
      return;
    }
    // Only complete sweeps count: "no sweeps" alerts on this histogram's _count standing still.
    this.metrics.sweepTook(Number(process.hrtime.bigint() - startedAt) / 1e9);
  }

  /** Claims batch after batch until the shard has nothing more due. */
  private async sweepShard(shard: number): Promise<void> {
    for (;;) {
      const { interrupted, ended, claimed, transitions } = await this.store.sweepShard(shard, this.env.SWEEP_BATCH);
      if (interrupted + ended > 0) {
        this.metrics.transitionsMade(transitions);
        this.signal.notify();
      }
      if (claimed < this.env.SWEEP_BATCH || this.stopping) return;
    }
  }
}
