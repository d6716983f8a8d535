import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigSection, InjectConfig } from '../config/sections';
import { KeyLayout } from '../store/key-layout';
import { OutboxStore } from '../store/outbox-store';
import { DeliveryEvents } from './delivery-events';
import { DeliveryLane, IDLE_POLL_MAX_MS, LaneSettings } from './delivery-lane';
import { LaneMetrics } from './lane-metrics';
import { Notifier, NOTIFIERS } from './notifier';
import { OutboxSignal } from './outbox-signal';
import { TransitionLog } from './transition-log';

/** At most this long between two housekeeping rounds of a replica (trimming, stale consumers); DELIVERY_CLAIM_IDLE_MS if shorter. */
const MAINTAIN_EVERY_MS = 60000;

/**
 * Runs one delivery lane per destination (the IM channel, each webhook URL), each reading the outbox through
 * its own consumer group, and the outbox's housekeeping: trimming history past OUTBOX_RETENTION_MS (never an
 * undelivered event) and removing the consumers of replicas that stopped.
 */
@Injectable()
export class OutboxConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxConsumer.name);
  readonly consumerName = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  readonly lanes: DeliveryLane[];
  private maintenance: NodeJS.Timeout | null = null;

  constructor(
    @InjectConfig('notify') private readonly env: ConfigSection<'notify'>,
    private readonly outbox: OutboxStore,
    private readonly keys: KeyLayout,
    signal: OutboxSignal,
    @Inject(NOTIFIERS) notifiers: Notifier[],
    metrics: LaneMetrics,
    events: DeliveryEvents,
    transitions: TransitionLog,
  ) {
    const settings: LaneSettings = {
      concurrency: env.DELIVERY_CONCURRENCY,
      backoffMs: env.DELIVERY_BACKOFF_MS,
      backoffMaxMs: env.DELIVERY_BACKOFF_MAX_MS,
      retryForMs: env.DELIVERY_RETRY_FOR_MS,
      claimIdleMs: env.DELIVERY_CLAIM_IDLE_MS,
      pollMs: env.DELIVERY_POLL_MS,
      // Half of the process's whole bound: what is still on the wire then stays pending for another replica,
      // and Redis is closed and the process exits 0 within SHUTDOWN_TIMEOUT_MS.
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS / 2,
    };
    this.lanes = notifiers.map(
      (notifier, i) =>
        new DeliveryLane(notifier, settings, this.consumerName, outbox, keys, signal, metrics, events, i === 0 ? transitions : null),
    );
    for (const lane of this.lanes) metrics.addLane(lane.name);
    outbox.useLanes(this.lanes.map((lane) => lane.spec));
  }

  /** The lane named `name`, or undefined. */
  lane(name: string): DeliveryLane | undefined {
    return this.lanes.find((lane) => lane.name === name);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.outbox.ensureLanes();
    for (const lane of this.lanes) lane.start();
    this.maintenance = setInterval(() => void this.maintain(false), Math.min(MAINTAIN_EVERY_MS, this.env.DELIVERY_CLAIM_IDLE_MS));
    void this.maintain(false);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.maintenance) clearInterval(this.maintenance);
    await Promise.all(this.lanes.map((lane) => lane.stop()));
    // This replica's consumers go with it, unless they still hold entries (another replica reclaims those first).
    await this.maintain(true);
  }

  private async maintain(leaving: boolean): Promise<void> {
    // A consumer is stale well after anything it held would have been reclaimed (a live replica polls at least
    // every IDLE_POLL_MAX_MS or DELIVERY_POLL_MS, which keeps its consumers' idle time low).
    const staleMs = 4 * Math.max(this.env.DELIVERY_CLAIM_IDLE_MS, this.env.DELIVERY_POLL_MS, IDLE_POLL_MAX_MS);
    try {
      let trimmed = 0;
      let removed = 0;
      for (const shard of this.keys.allShards()) {
        const done = await this.outbox.maintain(shard, this.consumerName, leaving ? null : this.env.OUTBOX_RETENTION_MS, staleMs, leaving);
        trimmed += done.trimmed;
        removed += done.removed;
      }
      if (removed > 0 && !leaving) this.logger.log(`removed ${removed} consumers of stopped replicas from the outbox groups`);
      if (trimmed > 0) this.logger.debug(`trimmed ${trimmed} outbox entries past retention`);
    } catch (err) {
      this.logger.warn(`outbox housekeeping failed: ${(err as Error).message}`);
    }
  }
}
