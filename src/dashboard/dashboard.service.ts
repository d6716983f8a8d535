import { Injectable } from '@nestjs/common';
import { ConfigSection, InjectConfig } from '../config/sections';
import { LiveStore } from '../store/live-store';
import { LaneStanding, OutboxStore } from '../store/outbox-store';
import { EndingsMinute, RecentEnding, RecentEndings } from '../store/recent-endings';
import { StatusStore } from '../store/status-store';
import { GuardStatus, MassTimeoutGuard } from '../sweeper/mass-timeout-guard';
import { RedisReachability, RedisReachabilityState } from './redis-reachability';
import { PRESENCE_SEEN_MS, ReplicaPresence, ReplicaSeen } from './replica-presence';

const ENDINGS_SHOWN = 20;
/** Minutes of history in the chart (plus the current one). */
const HISTORY_MINUTES = 60;
/** A read slower than this counts as Redis not answering (a hung Redis keeps its connections open). */
const READ_TIMEOUT_MS = 2000;

export interface SweepHealth {
  intervalMs: number;
  /** A shard not swept for this long is behind (the service's own "was down" threshold, SWEEP_GAP_MS). */
  gapMs: number;
  shards: number;
  /** Shards never swept (a new deployment) or not swept within gapMs. */
  behind: number;
  /** Age of the most and least recently swept shard, by Redis time, ms; null when no shard was ever swept. */
  newestAgeMs: number | null;
  oldestAgeMs: number | null;
}

/**
 * What the status page shows. A section is null when it could not be read (Redis unreachable or too slow): the
 * page then says "unknown", never "none".
 */
export interface DashboardData {
  at: number;
  redis: RedisReachabilityState;
  lives: { live: number; interrupted: number } | null;
  /** The outbox over every lane, and where each delivery lane (one per destination) stands. */
  outbox: { depth: number; inDelivery: number; oldestAt: number | null; deadLetters: number; lanes: LaneStanding[] } | null;
  guard: (GuardStatus & { windowMs: number }) | null;
  sweep: SweepHealth | null;
  replicas: { self: string; seenWithinMs: number; list: ReplicaSeen[] } | null;
  endings: Array<RecentEnding & { detectionLagMs: number | null; deliveryMs: number }> | null;
  history: EndingsMinute[] | null;
  settings: { heartbeatTimeoutMs: number; suspectAfterMs: number; sweepIntervalMs: number; notifiers: string[] };
}

/** Gathers the page's figures from the stores: O(shards) commands, one LRANGE, one ZRANGEBYSCORE and one
 * 61-command pipeline; no scan. */
@Injectable()
export class DashboardService {
  constructor(
    @InjectConfig('dashboard') private readonly env: ConfigSection<'dashboard'>,
    private readonly lives: LiveStore,
    private readonly outbox: OutboxStore,
    private readonly guard: MassTimeoutGuard,
    private readonly endings: RecentEndings,
    private readonly reachability: RedisReachability,
    private readonly presence: ReplicaPresence,
    private readonly status: StatusStore,
  ) {}

  async data(): Promise<DashboardData> {
    const at = Date.now();
    const failures: Error[] = [];
    const read = <T>(work: () => Promise<T>): Promise<T | null> =>
      withTimeout(work(), READ_TIMEOUT_MS).catch((err: Error) => {
        failures.push(err);
        return null;
      });
    const [lives, outbox, guard, endings, history, sweep, replicas] = await Promise.all([
      read(() => this.lives.countByState()),
      read(() => this.outbox.summary()),
      read(() => this.guard.status()),
      read(() => this.endings.latest(ENDINGS_SHOWN)),
      read(() => this.endings.perMinute(at, HISTORY_MINUTES)),
      read(() => this.sweepHealth()),
      read(async () => ({ self: this.presence.name, seenWithinMs: PRESENCE_SEEN_MS, list: await this.presence.list(at) })),
    ]);
    if (failures.length > 0) this.reachability.failed(failures[0], at);
    else this.reachability.answered(at);
    return {
      at,
      redis: this.reachability.state(),
      lives,
      outbox,
      guard: guard && { ...guard, windowMs: this.env.GUARD_WINDOW_MS },
      sweep,
      replicas,
      endings:
        endings &&
        endings.map((e) => ({
          ...e,
          // As led_detection_lag_seconds: from the deadline the silence crossed to the notice delivered.
          detectionLagMs: e.deadline === null ? null : Math.max(0, e.deliveredAt - e.deadline),
          deliveryMs: Math.max(0, e.deliveredAt - e.at),
        })),
      history,
      settings: {
        heartbeatTimeoutMs: this.env.HEARTBEAT_TIMEOUT_MS,
        suspectAfterMs: this.env.SUSPECT_AFTER_MS,
        sweepIntervalMs: this.env.SWEEP_INTERVAL_MS,
        notifiers: this.env.NOTIFIERS,
      },
    };
  }

  /** When each shard was last swept (written by the sweep script, Redis time), against Redis' clock. */
  private async sweepHealth(): Promise<SweepHealth> {
    const { now, lastSweptAt } = await this.status.sweepTimes();
    const ages = lastSweptAt.map((last) => (last === null ? null : Math.max(0, now - last)));
    const known = ages.filter((age): age is number => age !== null);
    return {
      intervalMs: this.env.SWEEP_INTERVAL_MS,
      gapMs: this.env.SWEEP_GAP_MS,
      shards: ages.length,
      behind: ages.filter((age) => age === null || age > this.env.SWEEP_GAP_MS).length,
      newestAgeMs: known.length ? Math.min(...known) : null,
      oldestAgeMs: known.length ? Math.max(...known) : null,
    };
  }
}

/** `work`, or a rejection after `ms` (the work itself goes on; its late answer is dropped). */
function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
