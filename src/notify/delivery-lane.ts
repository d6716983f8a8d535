import { Logger } from '@nestjs/common';
import { backoffDelay } from '../common/backoff';
import { sleep } from '../common/sleep';
import type { LiveEvent } from '../events/live-event';
import type { KeyLayout } from '../store/key-layout';
import { DeadLetterReason, LaneSpec, OutboxEntry, OutboxStore } from '../store/outbox-store';
import type { DeliveryEvents } from './delivery-events';
import { GatePass, LaneGate, MAX_RETRY_AFTER_MS, PAUSE_AFTER_FAILURES } from './lane-gate';
import type { LaneMetrics } from './lane-metrics';
import { DeliveryError, LocalDeliveryError, Notifier } from './notifier';
import type { OutboxSignal } from './outbox-signal';
import type { TransitionLog } from './transition-log';

/** A lane's settings (DELIVERY_* variables), in ms unless named otherwise. */
export interface LaneSettings {
  concurrency: number;
  backoffMs: number;
  backoffMaxMs: number;
  /** How long an event is retried, counted from its transition (`at`), before it is dead-lettered. */
  retryForMs: number;
  claimIdleMs: number;
  pollMs: number;
  shutdownTimeoutMs: number;
}

const ERROR_PAUSE_MS = 1000;
/**
 * The longest wait between an idle lane's polls: each empty poll doubles the wait from DELIVERY_POLL_MS up to
 * this. Writers in the same replica wake the lane at once, so the polls only find what other replicas wrote and
 * left (their lanes were full, or they stopped); an idle poll reads every shard, which cost a quiet replica more
 * CPU than anything else it does.
 */
export const IDLE_POLL_MAX_MS = 2000;
/** Most entry ids one keep-alive XCLAIM names. */
const TOUCH_CHUNK = 1000;

interface Held {
  entry: OutboxEntry;
  /** 'delivering': inside the notifier (waiting for the IM rate, or on the wire); 'backoff': waiting to retry. */
  phase: 'delivering' | 'backoff';
  since: number;
  abort: AbortController;
}

/**
 * One destination's lane: reads every shard's outbox through the destination's own consumer group and
 * delivers with its own concurrency, retries and backoff, so a destination that is down, slow or refusing
 * holds back nothing but itself. In an ordered lane (webhooks) the events of one live go one at a time in
 * seq order; different lives go in parallel. An entry is acknowledged when delivered or given up (dead
 * letter, written in the same script); until then it stays pending in the group, and if this replica dies
 * or hands it back, another replica reclaims it.
 */
export class DeliveryLane {
  readonly spec: LaneSpec;
  private readonly logger: Logger;
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  /** What this replica holds, by heldKey (stream ids repeat across shards: the shard is part of the key). */
  private readonly held = new Map<string, Held>();
  /** Entries this replica handed back recently, by heldKey, until when it leaves them to the others. */
  private readonly handedBack = new Map<string, number>();
  private readonly stopping = new AbortController();
  private keepAlive: NodeJS.Timeout | null = null;
  private nextShard = 0;
  private nextReclaimAt = 0;
  private readonly reclaimCursors = new Map<number, string>();
  /** When this lane last heard from its destination (a delivery or an answer), epoch ms. */
  private progressAt = Date.now();
  /** Since when reading the outbox fails (null: reads succeed); the outage is logged once, at its start and end. */
  private readFailingSince: number | null = null;
  /** Since when deliveries fail without one success in between (null: healthy). */
  private failingSince: number | null = null;
  private readonly gate: LaneGate;

  constructor(
    private readonly notifier: Notifier,
    private readonly settings: LaneSettings,
    private readonly consumer: string,
    private readonly outbox: OutboxStore,
    private readonly keys: KeyLayout,
    private readonly signal: OutboxSignal,
    private readonly metrics: LaneMetrics,
    private readonly events: DeliveryEvents,
    /** The one lane that writes each transition's log line as it first reads it (every lane reads every event). */
    private readonly transitions: TransitionLog | null,
  ) {
    this.spec = { name: notifier.name, ordered: notifier.ordered };
    this.logger = new Logger(`Lane ${notifier.name}`);
    this.gate = new LaneGate(settings.backoffMs, settings.backoffMaxMs);
  }

  get name(): string {
    return this.spec.name;
  }

  /** The destination as an operator may see it (no secret). */
  get describe(): string {
    return this.notifier.describe;
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
    // An entry read long ago may still be waiting its turn here (a burst queued behind the IM rate limit):
    // reset the idle time of what is held well before other replicas would presume it orphaned.
    this.keepAlive = setInterval(() => void this.tend(), this.settings.claimIdleMs / 3);
  }

  /** Stops reading; deliveries already on the wire may finish within shutdownTimeoutMs, the rest stay pending. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.stopping.abort();
    this.gate.close();
    for (const held of this.held.values()) if (held.phase === 'backoff') held.abort.abort();
    this.signal.notify();
    await this.loop;
    const giveUp = new AbortController();
    await Promise.race([Promise.allSettled([...this.inFlight]), sleep(this.settings.shutdownTimeoutMs, giveUp.signal)]);
    giveUp.abort();
    for (const held of this.held.values()) held.abort.abort();
  }

  /**
   * One attempt to deliver `event` now, outside the outbox (an operator redelivering a dead letter).
   * @throws DeliveryError when the destination refused it or could not be reached
   */
  async deliverOnce(event: LiveEvent): Promise<void> {
    await this.notifier.deliver(event, this.stopping.signal);
    this.metrics.outcome(this.name, 'ok');
  }

  private async run(): Promise<void> {
    let idleWaitMs = this.settings.pollMs;
    while (this.running) {
      const capacity = this.settings.concurrency - this.inFlight.size;
      if (capacity <= 0) {
        await Promise.race(this.inFlight);
        continue;
      }
      try {
        const notified = this.signal.count;
        const entries = await this.fetch(capacity);
        if (this.readFailingSince !== null) {
          this.logger.log(`outbox reads succeed again after ${formatDuration(Date.now() - this.readFailingSince)}`);
          this.readFailingSince = null;
        }
        for (const entry of entries) this.launch(entry);
        if (entries.length > 0) idleWaitMs = this.settings.pollMs;
        else {
          await this.signal.wait(idleWaitMs, notified);
          idleWaitMs = Math.min(2 * idleWaitMs, Math.max(IDLE_POLL_MAX_MS, this.settings.pollMs));
        }
      } catch (err) {
        this.metrics.redisError();
        // Once per outage, not once a poll: the Redis errors metric counts every failed read.
        if (this.readFailingSince === null) {
          this.readFailingSince = Date.now();
          this.logger.warn(`outbox reads failing (${(err as Error).message}); retrying every ${ERROR_PAUSE_MS} ms`);
        }
        await this.signal.wait(ERROR_PAUSE_MS);
      }
    }
  }

  /** Entries left by replicas that stopped or gave them back (now and then), then new ones, shard by shard in turn. */
  private async fetch(capacity: number): Promise<OutboxEntry[]> {
    const entries: OutboxEntry[] = [];
    if (Date.now() >= this.nextReclaimAt) {
      this.nextReclaimAt = Date.now() + this.settings.claimIdleMs / 4;
      for (const shard of this.keys.allShards()) {
        if (entries.length >= capacity) break;
        const claimed = await this.healing(shard, () =>
          this.outbox.reclaim(
            shard,
            this.spec,
            this.consumer,
            this.settings.claimIdleMs,
            this.reclaimCursors.get(shard) ?? '0-0',
            capacity - entries.length,
          ),
        );
        this.reclaimCursors.set(shard, claimed.next);
        for (const entry of claimed.entries) {
          if ((this.handedBack.get(heldKey(entry)) ?? 0) > Date.now())
            await this.outbox.handBack(entry, this.name, this.settings.claimIdleMs);
          else entries.push(entry);
        }
      }
    }
    for (let i = 0; i < this.keys.shards && entries.length < capacity; i++) {
      const shard = this.nextShard;
      this.nextShard = (this.nextShard + 1) % this.keys.shards;
      const fresh = await this.healing(shard, () => this.outbox.take(shard, this.spec, this.consumer, capacity - entries.length));
      if (this.transitions) for (const entry of fresh) this.transitions.record(entry.event);
      entries.push(...fresh);
    }
    return entries;
  }

  /**
   * Runs a read of one shard; when Redis says the stream or group is missing (restarted empty, failover to an
   * empty replica, FLUSHALL), recreates the lanes' groups there at once and reads again.
   */
  private async healing<T>(shard: number, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (err) {
      if (!/NOGROUP/.test((err as Error).message)) throw err;
      const created = await this.outbox.ensureLanes([shard]);
      this.metrics.groupsRecreated(created);
      this.logger.warn(
        `outbox of shard ${shard} had no consumer group for this lane (Redis lost its data?); recreated ${created} group(s)`,
      );
      return read();
    }
  }

  private launch(first: OutboxEntry): void {
    const work = async () => {
      let entry: OutboxEntry | null = first;
      // An ordered lane hands over the live's next parked event when one finishes: deliver it in the same slot.
      while (entry) {
        const held: Held = { entry, phase: 'delivering', since: Date.now(), abort: new AbortController() };
        this.held.set(heldKey(entry), held);
        try {
          const outcome = await this.deliver(held);
          if (outcome === 'abandoned') return;
          entry = await this.outbox.finish(entry, this.spec, this.consumer, outcome === 'delivered' ? undefined : outcome);
        } finally {
          this.held.delete(heldKey(held.entry));
        }
      }
    };
    const delivery = work()
      .catch((err: Error) => {
        this.metrics.redisError();
        this.logger.warn(`delivery of ${first.event.id} interrupted: ${err.message}`);
      })
      .finally(() => this.inFlight.delete(delivery));
    this.inFlight.add(delivery);
  }

  /** Delivers with retries: 'delivered', a dead letter's reason, or 'abandoned' (stays pending for whoever reclaims it). */
  private async deliver(held: Held): Promise<'delivered' | 'abandoned' | DeadLetterReason> {
    const { event } = held.entry;
    if (!this.notifier.wants(event)) return 'delivered';
    let lastError: DeliveryError | null = null;
    for (let attempt = 1; ; attempt++) {
      // While the destination is down, the held deliveries wait here and probes go (then a slow start), fewest
      // attempts first; one whose retry window closes meanwhile is dead-lettered without another attempt.
      held.phase = 'backoff';
      const pass = await this.gate.admit(this.gate.paused ? this.untilRetryWindowCloses(event, held) : held.abort.signal, attempt);
      if (!pass) {
        if (held.abort.signal.aborted) return 'abandoned';
        const waited = `${formatDuration(Date.now() - event.at)} while the destination was down`;
        return this.giveUp(event, {
          reason: lastError ? `retried for ${waited}, last: ${lastError.message}` : `never attempted: waited ${waited}`,
          code: lastError?.code,
          attempts: attempt - 1,
        });
      }
      held.phase = 'delivering';
      held.since = Date.now();
      let error: DeliveryError;
      try {
        await this.notifier.deliver(event, held.abort.signal);
        this.gate.settle(pass, 'up');
        this.succeeded(event);
        return 'delivered';
      } catch (err) {
        error = err instanceof DeliveryError ? err : new DeliveryError(String(err), true);
        this.settleGate(pass, error, held.abort.signal.aborted);
        if (held.abort.signal.aborted) return 'abandoned';
      }
      lastError = error;
      this.metrics.failure(this.name, error.kind);
      if (!(error instanceof LocalDeliveryError)) this.failed(error);
      if (!error.retryable) return this.giveUp(event, { reason: error.message, code: error.code, attempts: attempt });
      const age = Date.now() - event.at;
      if (age >= this.settings.retryForMs) {
        return this.giveUp(event, {
          reason: `retried for ${formatDuration(age)}, last: ${error.message}`,
          code: error.code,
          attempts: attempt,
        });
      }
      this.metrics.outcome(this.name, 'retry');
      // Not past the end of the retry window: the last attempt goes then.
      const delay = Math.min(
        Math.max(
          Math.min(error.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS),
          backoffDelay(attempt, this.settings.backoffMs, this.settings.backoffMaxMs),
        ),
        this.retryWindowLeft(event),
      );
      if (attempt === 1 || attempt % 10 === 0) {
        this.logger.warn(`delivery of ${event.id} failed (${error.message}); attempt ${attempt}, retry in ${delay} ms`);
      }
      held.phase = 'backoff';
      held.since = Date.now();
      if (!(await sleep(delay, held.abort.signal))) return 'abandoned';
    }
  }

  /** Aborts when the held delivery is aborted or when the event's retry window (DELIVERY_RETRY_FOR_MS) closes. */
  private untilRetryWindowCloses(event: LiveEvent, held: Held): AbortSignal {
    return AbortSignal.any([held.abort.signal, AbortSignal.timeout(this.retryWindowLeft(event))]);
  }

  /** How long the event's retry window (DELIVERY_RETRY_FOR_MS from its transition) stays open, ms (0 once closed). */
  private retryWindowLeft(event: LiveEvent): number {
    return Math.max(0, event.at + this.settings.retryForMs - Date.now());
  }

  /** What a failed attempt says about the destination: a deliberate refusal of this one event means it is up. */
  private settleGate(pass: GatePass, error: DeliveryError, aborted: boolean): void {
    const wasPaused = this.gate.paused;
    const verdict = aborted || error instanceof LocalDeliveryError ? 'unknown' : error.retryable ? 'down' : 'up';
    this.gate.settle(pass, verdict, error.retryAfterMs);
    if (!wasPaused && this.gate.paused) {
      this.logger.warn(
        `${this.notifier.describe} failed ${PAUSE_AFTER_FAILURES} fresh events in a row: lane paused: one probe at a time until it answers, then a slow start`,
      );
    }
  }

  private succeeded(event: LiveEvent): void {
    this.progressAt = Date.now();
    this.metrics.outcome(this.name, 'ok');
    this.metrics.delivered(this.name, event);
    this.events.delivered(this.name, event, this.progressAt);
    if (this.failingSince !== null) {
      this.logger.log(`${this.notifier.describe} works again after failing for ${formatDuration(Date.now() - this.failingSince)}`);
      this.failingSince = null;
      this.metrics.failingSince(this.name, null);
      void this.outbox.reportLaneHealth(this.name, null).catch(() => this.metrics.redisError());
    }
  }

  private failed(error: DeliveryError): void {
    const now = Date.now();
    this.progressAt = now;
    if (this.failingSince === null) {
      this.failingSince = now;
      this.metrics.failingSince(this.name, now);
      void this.outbox.reportLaneHealth(this.name, { since: now, error: error.message, at: now }).catch(() => this.metrics.redisError());
    }
  }

  private giveUp(event: LiveEvent, reason: DeadLetterReason): DeadLetterReason {
    this.metrics.outcome(this.name, 'dead');
    this.logger.error(`dead letter: ${event.id} to ${this.name}: ${reason.reason}`);
    return reason;
  }

  /**
   * Every third of DELIVERY_CLAIM_IDLE_MS: resets the idle time of what this replica holds, except deliveries
   * stuck inside the notifier for half of it while the lane heard nothing from its destination (this replica
   * cannot make progress: e.g. it cannot get IM calls from the rate limiter): those are handed back, so another
   * replica delivers them within about DELIVERY_CLAIM_IDLE_MS.
   */
  private async tend(): Promise<void> {
    const now = Date.now();
    const bound = this.settings.claimIdleMs / 2;
    for (const [id, until] of this.handedBack) if (until <= now) this.handedBack.delete(id);
    const byShard = new Map<number, string[]>();
    const stuck: Held[] = [];
    for (const held of this.held.values()) {
      if (held.phase === 'delivering' && now - held.since > bound && now - this.progressAt > bound) {
        stuck.push(held);
        continue;
      }
      const ids = byShard.get(held.entry.shard) ?? [];
      ids.push(held.entry.entryId);
      byShard.set(held.entry.shard, ids);
    }
    try {
      for (const held of stuck) {
        held.abort.abort();
        this.handedBack.set(heldKey(held.entry), now + this.settings.claimIdleMs);
        await this.outbox.handBack(held.entry, this.name, this.settings.claimIdleMs);
      }
      if (stuck.length > 0) {
        this.metrics.handedBack(this.name, stuck.length);
        this.logger.warn(
          `handed ${stuck.length} deliveries back to the other replicas: no progress for ${Math.round((now - this.progressAt) / 1000)} s`,
        );
      }
      for (const [shard, ids] of byShard) {
        for (let i = 0; i < ids.length; i += TOUCH_CHUNK)
          await this.outbox.touchMany(shard, this.name, ids.slice(i, i + TOUCH_CHUNK), this.consumer);
      }
    } catch (err) {
      this.metrics.redisError();
      this.logger.warn(`could not refresh held deliveries: ${(err as Error).message}`);
    }
  }
}

/** An entry's key among those a replica holds: `<shard>/<stream id>`. */
function heldKey(entry: OutboxEntry): string {
  return `${entry.shard}/${entry.entryId}`;
}

/** "90 s", "3.5 h": for log lines and dead-letter reasons. */
function formatDuration(ms: number): string {
  if (ms < 120000) return `${Math.round(ms / 1000)} s`;
  if (ms < 7200000) return `${Math.round(ms / 60000)} min`;
  return `${(ms / 3600000).toFixed(1)} h`;
}
