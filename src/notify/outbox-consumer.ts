import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Environment } from '../config/environment';
import { MetricsService } from '../metrics/metrics.service';
import { KeyLayout } from '../store/key-layout';
import { OutboxEntry, OutboxStore } from '../store/outbox-store';
import { LiveEventBus } from '../events/live-event-bus';
import { backoffDelay } from './backoff';
import { DeliveryError, Notifier, NOTIFIERS } from './notifier';
import { OutboxSignal } from './outbox-signal';
import { TransitionLog } from './transition-log';

const ERROR_PAUSE_MS = 1000;
/** Most entry ids one keep-alive XCLAIM names. */
const TOUCH_CHUNK = 1000;

/**
 * Reads events from every shard's outbox through the shared consumer group and hands each to every
 * notifier that wants it. An entry is acknowledged only when all of them succeeded or failed for good
 * (dead letter); until then it stays pending, so if this replica dies another one reclaims it.
 */
@Injectable()
export class OutboxConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxConsumer.name);
  readonly consumerName = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  /** Entries this replica holds (waiting for the IM rate, on the wire, or between retries). */
  private readonly held = new Set<OutboxEntry>();
  private keepAlive: NodeJS.Timeout | null = null;
  private readonly stopWaiting = new AbortController();
  private nextShard = 0;
  private nextReclaimAt = 0;
  private readonly reclaimCursors = new Map<number, string>();

  constructor(
    private readonly env: Environment,
    private readonly outbox: OutboxStore,
    private readonly keys: KeyLayout,
    private readonly signal: OutboxSignal,
    @Inject(NOTIFIERS) private readonly notifiers: Notifier[],
    private readonly metrics: MetricsService,
    private readonly transitions: TransitionLog,
    private readonly bus: LiveEventBus,
  ) {
    // Every delivery waiting to retry listens for shutdown: up to DELIVERY_CONCURRENCY at once, not a leak.
    setMaxListeners(0, this.stopWaiting.signal);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.outbox.ensureGroups();
    this.running = true;
    this.loop = this.run();
    // An entry read long ago may still be waiting its turn here (a burst queued behind the IM rate limit):
    // reset the idle time of everything held well before other replicas would presume it orphaned.
    this.keepAlive = setInterval(() => void this.touchHeld(), this.env.DELIVERY_CLAIM_IDLE_MS / 3);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.stopWaiting.abort();
    this.signal.notify();
    await this.loop;
    // Deliveries already on the wire may finish; whatever is left stays pending for another replica.
    const giveUp = new AbortController();
    await Promise.race([Promise.allSettled([...this.inFlight]), sleep(this.env.SHUTDOWN_TIMEOUT_MS, giveUp.signal)]);
    giveUp.abort();
  }

  private async run(): Promise<void> {
    while (this.running) {
      const capacity = this.env.DELIVERY_CONCURRENCY - this.inFlight.size;
      if (capacity <= 0) {
        await Promise.race(this.inFlight);
        continue;
      }
      try {
        const entries = await this.fetch(capacity);
        for (const entry of entries) this.start(entry);
        if (entries.length === 0) await this.signal.wait(this.env.DELIVERY_POLL_MS);
      } catch (err) {
        this.metrics.redisError('outbox');
        this.logger.warn(`outbox read failed: ${(err as Error).message}`);
        await this.signal.wait(ERROR_PAUSE_MS);
      }
    }
  }

  /** Entries abandoned by dead replicas first (now and then), then new ones, shard by shard in turn. */
  private async fetch(capacity: number): Promise<OutboxEntry[]> {
    const entries: OutboxEntry[] = [];
    if (Date.now() >= this.nextReclaimAt) {
      this.nextReclaimAt = Date.now() + this.env.DELIVERY_CLAIM_IDLE_MS / 4;
      for (const shard of this.keys.allShards()) {
        if (entries.length >= capacity) break;
        const { next, entries: claimed } = await this.outbox.reclaim(
          shard, this.consumerName, this.env.DELIVERY_CLAIM_IDLE_MS, this.reclaimCursors.get(shard) ?? '0-0',
          capacity - entries.length,
        );
        this.reclaimCursors.set(shard, next);
        for (const entry of claimed) this.transitions.reclaimed(entry.event);
        entries.push(...claimed);
      }
    }
    for (let i = 0; i < this.keys.shards && entries.length < capacity; i++) {
      const shard = this.nextShard;
      this.nextShard = (this.nextShard + 1) % this.keys.shards;
      const fresh = await this.outbox.readNew(shard, this.consumerName, capacity - entries.length);
      for (const entry of fresh) this.transitions.record(entry.event);
      entries.push(...fresh);
    }
    return entries;
  }

  private start(entry: OutboxEntry): void {
    this.held.add(entry);
    const delivery = this.deliver(entry)
      .catch((err: Error) => this.logger.warn(`delivery of ${entry.event.id} interrupted: ${err.message}`))
      .finally(() => {
        this.inFlight.delete(delivery);
        this.held.delete(entry);
      });
    this.inFlight.add(delivery);
  }

  /** Resets the idle time of every entry this replica holds, a few commands per shard. */
  private async touchHeld(): Promise<void> {
    const byShard = new Map<number, string[]>();
    for (const entry of this.held) {
      const ids = byShard.get(entry.shard) ?? [];
      ids.push(entry.entryId);
      byShard.set(entry.shard, ids);
    }
    try {
      for (const [shard, ids] of byShard) {
        for (let i = 0; i < ids.length; i += TOUCH_CHUNK) await this.outbox.touchMany(shard, ids.slice(i, i + TOUCH_CHUNK), this.consumerName);
      }
    } catch (err) {
      this.metrics.redisError('outbox');
      this.logger.warn(`could not refresh held deliveries: ${(err as Error).message}`);
    }
  }

  private async deliver(entry: OutboxEntry): Promise<void> {
    let pending = this.notifiers.filter((n) => n.wants(entry.event));
    for (let attempt = 1; ; attempt++) {
      const failed: Array<{ notifier: Notifier; error: DeliveryError }> = [];
      await Promise.all(
        pending.map(async (notifier) => {
          try {
            await notifier.deliver(entry.event);
          } catch (err) {
            const error = err instanceof DeliveryError ? err : new DeliveryError(String(err), true);
            if (error.retryable) failed.push({ notifier, error });
            else await this.deadLetter(entry, notifier, error);
            return;
          }
          this.metrics.delivery(notifier.name, 'ok');
          this.metrics.delivered(notifier.name, entry.event);
        }),
      );
      if (failed.length > 0 && attempt >= this.env.DELIVERY_MAX_ATTEMPTS) {
        for (const { notifier, error } of failed) await this.deadLetter(entry, notifier, error, 'retries exhausted: ');
        failed.length = 0;
      }
      if (failed.length === 0) {
        await this.outbox.ack(entry);
        this.bus.publish('delivered', { event: entry.event, deliveredAt: Date.now() });
        return;
      }
      if (!this.running) return;

      pending = failed.map((f) => f.notifier);
      for (const f of failed) this.metrics.delivery(f.notifier.name, 'retry');
      const hinted = Math.max(0, ...failed.map((f) => f.error.retryAfterMs ?? 0));
      const delay = Math.max(hinted, backoffDelay(attempt, this.env.DELIVERY_BACKOFF_MS, this.env.DELIVERY_BACKOFF_MAX_MS));
      this.logger.warn(
        `delivery of ${entry.event.id} failed (${failed.map((f) => f.error.message).join('; ')}); attempt ${attempt}, retry in ${delay} ms`,
      );
      if (!(await sleep(delay, this.stopWaiting.signal))) return;
      await this.outbox.touch(entry, this.consumerName);
    }
  }

  private async deadLetter(entry: OutboxEntry, notifier: Notifier, error: DeliveryError, prefix = ''): Promise<void> {
    this.metrics.delivery(notifier.name, 'dead');
    this.logger.error(`dead letter: ${entry.event.id} to ${notifier.name}: ${prefix}${error.message}`);
    await this.outbox.deadLetter(entry, notifier.name, prefix + error.message, error.code);
  }
}

/** Resolves true after `ms`, or false at once when `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    // Remove the listener when the timer fires: the signal lives as long as the process, retries do not.
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
