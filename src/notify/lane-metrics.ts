import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';
import { OutboxStore } from '../store/outbox-store';

/**
 * Per-lane delivery metrics, registered in the app's registry: what each lane sent, retried and gave up
 * (led_deliveries_total, by the lane's name in `notifier`), how far behind it is (read from Redis at scrape
 * time: O(shards) scripts), since when it fails, and what it handed back or recreated.
 */
@Injectable()
export class LaneMetrics {
  private readonly handedBackTotal: Counter<'lane'>;
  private readonly recreated: Counter;
  private readonly failures: Counter<'lane' | 'kind'>;
  private readonly failingSinceByLane = new Map<string, number | null>();

  constructor(
    private readonly metrics: MetricsService,
    private readonly outbox: OutboxStore,
  ) {
    const registers = [metrics.registry];
    const failingSince = this.failingSinceByLane;
    new Gauge({
      name: 'led_lane_failing_seconds',
      help: "How long the lane's destination has failed without one success, as this replica saw it (0 while healthy).",
      labelNames: ['lane'],
      registers,
      collect() {
        const now = Date.now();
        for (const [lane, since] of failingSince) this.set({ lane }, since === null ? 0 : (now - since) / 1000);
      },
    });
    this.handedBackTotal = new Counter({
      name: 'led_lane_handed_back_total',
      help: 'Deliveries this replica gave back to the others because it could not make progress with them (e.g. no IM calls from the rate limiter).',
      labelNames: ['lane'],
      registers,
    });
    this.failures = new Counter({
      name: 'led_delivery_failures_total',
      help: 'Failed delivery attempts by lane and kind: http (status in the dead letter), redirect (3xx, not followed), network, im (an IM ErrorCode), local (this replica could not try).',
      labelNames: ['lane', 'kind'],
      registers,
    });
    this.recreated = new Counter({
      name: 'led_outbox_groups_recreated_total',
      help: 'Outbox streams or lane consumer groups found missing (Redis restarted empty, failover, FLUSHALL) and recreated.',
      registers,
    });
    const standings = () =>
      this.outbox.standings().catch(() => {
        this.metrics.redisError('scrape');
        return null;
      });
    let pending: ReturnType<typeof standings> | null = null;
    // The lane gauges share one read per scrape.
    const once = () => (pending ??= standings().finally(() => setImmediate(() => (pending = null))));
    new Gauge({
      name: 'led_lane_pending',
      help: 'Outbox events a lane has read and not finished (in delivery, retrying, or waiting behind an older event of their live), all shards.',
      labelNames: ['lane'],
      registers,
      async collect() {
        for (const s of (await once()) ?? []) this.set({ lane: s.lane }, s.pending);
      },
    });
    new Gauge({
      name: 'led_lane_unread',
      help: 'Outbox events a lane has not read yet, all shards (-1 when Redis cannot say).',
      labelNames: ['lane'],
      registers,
      async collect() {
        for (const s of (await once()) ?? []) this.set({ lane: s.lane }, s.unread ?? -1);
      },
    });
    new Gauge({
      name: 'led_lane_oldest_age_seconds',
      help: 'Age of the oldest outbox event a lane has not finished: its lag (0 when up to date).',
      labelNames: ['lane'],
      registers,
      async collect() {
        for (const s of (await once()) ?? [])
          this.set({ lane: s.lane }, s.oldestAt === null ? 0 : Math.max(0, Date.now() - s.oldestAt) / 1000);
      },
    });
  }

  /** Registers a lane so its gauges read 0 before anything happens. */
  addLane(lane: string): void {
    this.failingSinceByLane.set(lane, null);
    this.handedBackTotal.inc({ lane }, 0);
  }

  outcome(lane: string, outcome: 'ok' | 'retry' | 'dead'): void {
    this.metrics.delivery(lane, outcome);
  }

  delivered(lane: string, event: { at: number; deadline?: number }): void {
    this.metrics.delivered(lane, event);
  }

  failure(lane: string, kind: string): void {
    this.failures.inc({ lane, kind });
  }

  failingSince(lane: string, since: number | null): void {
    this.failingSinceByLane.set(lane, since);
  }

  handedBack(lane: string, count: number): void {
    this.handedBackTotal.inc({ lane }, count);
  }

  groupsRecreated(count: number): void {
    if (count > 0) this.recreated.inc(count);
  }

  redisError(): void {
    this.metrics.redisError('outbox');
  }
}
