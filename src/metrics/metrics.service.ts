import { Injectable, Logger } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { LiveEventBus } from '../events/live-event-bus';
import type { TransitionCount } from '../events/live-lifecycle';
import { storageFailure } from '../common/storage-failure';
import { LiveStore } from '../store/live-store';
import { OutboxStore } from '../store/outbox-store';

export type HeartbeatResult =
  'ok' | 'gone' | 'conflict' | 'unauthorized' | 'forbidden' | 'limited' | 'bad_request' | 'unavailable' | 'error';
export type DeliveryOutcome = 'ok' | 'retry' | 'dead';
/** Where a Redis failure was seen. */
export type RedisErrorSource = 'connection' | 'request' | 'sweep' | 'outbox' | 'scrape';

/** prom-client default gauges whose `_total` suffix promises a counter. */
const NON_COUNTER_TOTALS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** Seconds; spans a fast sweep to a backlog of minutes. */
const LAG_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120, 300];
const SWEEP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * The service's Prometheus metrics, `led_`-prefixed, plus Node's default process metrics.
 * Other modules report through the typed methods; gauges that describe shared Redis state
 * (lives, outbox) are read at scrape time, costing O(shards) commands, never a scan of lives.
 * Each application owns its registry, so several apps in one process (tests) do not collide.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly logger = new Logger('Metrics');

  private readonly heartbeats = new Counter({
    name: 'led_heartbeats_total',
    help: 'Heartbeat requests by result: ok (200), gone (410), conflict (409), unauthorized (401), forbidden (403), limited (429), bad_request (other 4xx), unavailable (503), error (other 5xx).',
    labelNames: ['result'],
    registers: [this.registry],
  });

  private readonly transitions = new Counter({
    name: 'led_transitions_total',
    help: 'Live state transitions made by this replica (heartbeats, ends, sweeps, IM callbacks), by type (started, interrupted, resumed, ended) and end reason.',
    labelNames: ['type', 'reason'],
    registers: [this.registry],
  });

  private readonly deliveries = new Counter({
    name: 'led_deliveries_total',
    help: 'Delivery attempts of outbox events by notifier and outcome (ok, retry, dead).',
    labelNames: ['notifier', 'outcome'],
    registers: [this.registry],
  });

  private readonly deadLetters = new Counter({
    name: 'led_dead_letters_total',
    help: 'Events this replica wrote to the dead-letter streams, by notifier.',
    labelNames: ['notifier'],
    registers: [this.registry],
  });

  private readonly detectionLag = new Histogram({
    name: 'led_detection_lag_seconds',
    help: "From a timed-out live's deadline (last heartbeat + timeout) to its live.ended notice delivered, by notifier.",
    labelNames: ['notifier'],
    buckets: LAG_BUCKETS,
    registers: [this.registry],
  });

  private readonly deliveryLatency = new Histogram({
    name: 'led_delivery_latency_seconds',
    help: "From an event's transition time (`at`) to its delivery, by notifier.",
    labelNames: ['notifier'],
    buckets: LAG_BUCKETS,
    registers: [this.registry],
  });

  private readonly sweepDuration = new Histogram({
    name: 'led_sweep_duration_seconds',
    help: 'Duration of one sweep over every shard; its _count counts sweeps.',
    buckets: SWEEP_BUCKETS,
    registers: [this.registry],
  });

  private readonly redisErrors = new Counter({
    name: 'led_redis_errors_total',
    help: 'Redis failures by where they were seen (connection, request, sweep, outbox, scrape) and kind (unreachable, timeout, out_of_memory, read_only, loading, busy, cluster, auth; other: not a storage outage).',
    labelNames: ['source', 'kind'],
    registers: [this.registry],
  });

  private readonly guardEngaged = new Gauge({
    name: 'led_guard_engaged',
    help: '1 while the mass-timeout guard holds silence-endings back, else 0.',
    registers: [this.registry],
  });

  constructor(
    private readonly lives: LiveStore,
    private readonly outbox: OutboxStore,
    bus: LiveEventBus,
  ) {
    bus.on('transitions', ({ transitions }) => this.transitionsMade(transitions));
    bus.on('connectionError', ({ error }) => this.redisError('connection', error));
    collectDefaultMetrics({ register: this.registry });
    // Gauges named like counters break the naming conventions `promtool check metrics` enforces; each is the sum
    // of the same gauge without the suffix (labelled by type), which stays.
    for (const name of NON_COUNTER_TOTALS) this.registry.removeSingleMetric(name);
    this.guardEngaged.set(0);
    this.registerRedisGauges();
  }

  heartbeat(result: HeartbeatResult): void {
    this.heartbeats.inc({ result });
  }

  private transitionsMade(counts: TransitionCount[]): void {
    for (const { type, reason, count } of counts) this.transitions.inc({ type, reason: reason ?? '' }, count);
  }

  delivery(notifier: string, outcome: DeliveryOutcome): void {
    this.deliveries.inc({ notifier, outcome });
    if (outcome === 'dead') this.deadLetters.inc({ notifier });
  }

  /** A notifier delivered an event: `at` is its transition time, `deadline` set on timeout endings. */
  delivered(notifier: string, event: { at: number; deadline?: number }, now = Date.now()): void {
    this.deliveryLatency.observe({ notifier }, Math.max(0, now - event.at) / 1000);
    if (event.deadline !== undefined) this.detectionLag.observe({ notifier }, Math.max(0, now - event.deadline) / 1000);
  }

  sweepTook(seconds: number): void {
    this.sweepDuration.observe(seconds);
  }

  /** Counts a Redis failure; `err` (the client's error, when known) gives its kind (see StorageFailureKind). */
  redisError(source: RedisErrorSource, err?: unknown): void {
    this.redisErrors.inc({ source, kind: storageFailure(err)?.kind ?? 'other' });
  }

  setGuardEngaged(engaged: boolean): void {
    this.guardEngaged.set(engaged ? 1 : 0);
  }

  /** The exposition text served at /metrics. */
  async exposition(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Gauges of state shared by all replicas (each replica reports the same values: aggregate with max()). */
  private registerRedisGauges(): void {
    // prom-client calls collect() with the gauge as `this`; the service is reached through this alias.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    new Gauge({
      name: 'led_lives',
      help: 'Running lives by state (live, interrupted), over all shards.',
      labelNames: ['state'],
      registers: [this.registry],
      async collect() {
        const counts = await self.readRedis(() => self.lives.countByState());
        if (counts) for (const [state, value] of Object.entries(counts)) this.set({ state }, value);
      },
    });
    const summary = () => self.readRedis(() => self.outbox.summary());
    let pending: ReturnType<typeof summary> | null = null;
    // The three outbox gauges share one read per scrape.
    const once = () => (pending ??= summary().finally(() => setImmediate(() => (pending = null))));
    new Gauge({
      name: 'led_outbox_depth',
      help: 'Events written to the outbox streams and not yet delivered to every notifier (XLEN, all shards).',
      registers: [this.registry],
      async collect() {
        const s = await once();
        if (s) this.set(s.depth);
      },
    });
    new Gauge({
      name: 'led_outbox_in_delivery',
      help: 'Outbox events a replica has read and not yet acknowledged (XPENDING, all shards).',
      registers: [this.registry],
      async collect() {
        const s = await once();
        if (s) this.set(s.inDelivery);
      },
    });
    new Gauge({
      name: 'led_outbox_oldest_age_seconds',
      help: 'Age of the oldest undelivered outbox event (0 when the outbox is empty).',
      registers: [this.registry],
      async collect() {
        const s = await once();
        if (s) this.set(s.oldestAt === null ? 0 : Math.max(0, Date.now() - s.oldestAt) / 1000);
      },
    });
    new Gauge({
      name: 'led_dead_letter_stream_length',
      help: 'Entries kept in the dead-letter streams (all shards; trimmed to the newest 100000 each).',
      registers: [this.registry],
      async collect() {
        const s = await once();
        if (s) this.set(s.deadLetters);
      },
    });
  }

  /** A scrape must still answer while Redis is down: the gauges keep their last value and the error is counted. */
  private async readRedis<T>(read: () => Promise<T>): Promise<T | null> {
    try {
      return await read();
    } catch (err) {
      this.redisError('scrape', err);
      this.logger.warn(`metrics scrape could not read Redis: ${(err as Error).message}`);
      return null;
    }
  }
}
