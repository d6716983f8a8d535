import { Inject, Injectable } from '@nestjs/common';
import type { LiveEvent } from '../events/live-event';
import { KeyLayout } from './key-layout';
import { SCRIPTS } from './script-specs';
import { ScriptRunner } from './scripts';
import { REDIS } from './redis.tokens';
import type { RedisClient } from './redis-connection';

/** The dead-letter streams keep at most about this many entries per shard (MAXLEN ~). */
export const DEAD_LETTER_MAXLEN = 100000;

/** The consumer that holds entries a replica gave up; any replica reclaims them from it. */
export const HANDED_BACK = 'handed-back';

/** One event of a shard's outbox, as read by one lane. */
export interface OutboxEntry {
  shard: number;
  /** Stream entry id (`<ms>-<seq>`; the ms part is when the event was written, Redis time). */
  entryId: string;
  event: LiveEvent;
}

/**
 * A destination's lane: its own consumer group on every shard's outbox stream. `ordered` lanes deliver the
 * events of one live one at a time, in stream (= seq) order, across replicas (includes/lane-gate.lua).
 */
export interface LaneSpec {
  name: string;
  ordered: boolean;
}

/** Why an entry was given up, as the dead-letter stream keeps it. */
export interface DeadLetterReason {
  reason: string;
  /** What the destination answered last: HTTP status, IM ErrorCode, or a transport code. */
  code?: string | number;
  attempts: number;
}

/** One dead letter: an event a lane gave up, with why. `id` is `<shard>:<stream id>`. */
export interface DeadLetter extends DeadLetterReason {
  id: string;
  lane: string;
  /** When it was given up, epoch ms (from the stream id). */
  at: number;
  event: LiveEvent;
}

/** Where one lane stands over all shards. */
export interface LaneStanding {
  lane: string;
  /** Entries read and not finished: in delivery, retrying, or parked behind an older event of their live. */
  pending: number;
  /** Entries not read yet (null when Redis cannot say, e.g. its group is missing). */
  unread: number | null;
  /** When the oldest event not finished by this lane was written, epoch ms; null when it is up to date. */
  oldestAt: number | null;
  /** Set while the lane's destination fails (as last reported by any replica). */
  failing: LaneFailure | null;
}

/** A lane that is failing: since when (epoch ms) and the last error (no secrets: status, code, host). */
export interface LaneFailure {
  since: number;
  error: string;
  /** When the error was seen, epoch ms. */
  at: number;
}

/** A page of a listing over every shard, oldest first. `next` is null when there is nothing more. */
export interface Page<T> {
  items: T[];
  next: string | null;
}

type RawEntry = [id: string, fields: string[]];

/**
 * The per-shard outbox streams and dead-letter streams. Each destination reads the outbox through a consumer
 * group of its own (a lane), so one destination's backlog never holds another back. Delivered entries are
 * not deleted: the stream keeps OUTBOX_RETENTION_MS of history (trimmed by id), for backends to page through
 * what they missed, and never trims an entry some lane has not finished.
 */
@Injectable()
export class OutboxStore {
  private lanes: LaneSpec[] = [];
  private readonly scripts: ScriptRunner;

  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly keys: KeyLayout,
  ) {
    this.scripts = new ScriptRunner(redis);
  }

  /** The lanes reading the outbox (set once by the delivery module); summaries and trimming consider only these. */
  useLanes(lanes: LaneSpec[]): void {
    this.lanes = lanes;
  }

  /** Creates whatever stream or lane group is missing on `shards` (all by default); returns how many groups. */
  async ensureLanes(shards = this.keys.allShards()): Promise<number> {
    const names = this.lanes.map((l) => l.name);
    if (names.length === 0) return 0;
    const created = await Promise.all(
      shards.map((shard) => this.scripts.run(SCRIPTS.laneGroups, { outbox: this.keys.outbox(shard) }, {}, names) as Promise<number>),
    );
    return created.reduce((a, b) => a + Number(b), 0);
  }

  /**
   * Reads up to `count` new entries of `shard` for `lane`. In an ordered lane, entries behind an unfinished
   * older event of their live are parked (stay pending) and not returned.
   * @throws the Redis error; its message starts with NOGROUP when the stream or group is missing
   */
  async take(shard: number, lane: LaneSpec, consumer: string, count: number): Promise<OutboxEntry[]> {
    return (await this.laneTake(shard, lane, consumer, count, 'new', 0, '0-0')).entries;
  }

  /** Takes over entries of `lane` other consumers left pending longer than `minIdleMs` (replicas that died or handed them back). */
  async reclaim(shard: number, lane: LaneSpec, consumer: string, minIdleMs: number, cursor: string, count: number) {
    return this.laneTake(shard, lane, consumer, count, 'reclaim', minIdleMs, cursor);
  }

  /** lane-take-2.lua: `next` is XAUTOCLAIM's cursor in reclaim mode ('0-0' when the scan is done, and in new mode). */
  private async laneTake(
    shard: number,
    lane: LaneSpec,
    consumer: string,
    count: number,
    mode: 'new' | 'reclaim',
    minIdleMs: number,
    cursor: string,
  ) {
    const [next, ...flat] = (await this.scripts.run(
      SCRIPTS.laneTake,
      { outbox: this.keys.outbox(shard), gate: this.keys.laneGate(shard, lane.name) },
      { lane: lane.name, consumer, count, ordered: lane.ordered ? 1 : 0, mode, minIdleMs, cursor },
    )) as [string, ...string[]];
    return { next: String(next), entries: this.pairs(shard, flat) };
  }

  /**
   * Gives an entry up to the other replicas: moves it to the placeholder consumer `handed-back` with an idle
   * time of `idleMs` (DELIVERY_CLAIM_IDLE_MS), so the next reclaim by any replica takes it at once.
   */
  async handBack(entry: OutboxEntry, lane: string, idleMs: number): Promise<void> {
    await this.redis.xclaim(this.keys.outbox(entry.shard), lane, HANDED_BACK, 0, entry.entryId, 'IDLE', idleMs, 'JUSTID');
  }

  /** Resets the idle time of entries of one shard this consumer holds, so no other replica reclaims them. */
  async touchMany(shard: number, lane: string, entryIds: string[], consumer: string): Promise<void> {
    if (entryIds.length === 0) return;
    await this.redis.xclaim(this.keys.outbox(shard), lane, consumer, 0, ...entryIds, 'JUSTID');
  }

  /**
   * Finishes `entry` in `lane`: delivered, or given up with `deadLetter` (written in the same script). In an
   * ordered lane, returns the live's next parked entry, now claimed by `consumer`, to deliver next.
   */
  async finish(entry: OutboxEntry, lane: LaneSpec, consumer: string, deadLetter?: DeadLetterReason): Promise<OutboxEntry | null> {
    const letter = deadLetter
      ? [
          'event',
          JSON.stringify(entry.event),
          'lane',
          lane.name,
          'reason',
          deadLetter.reason,
          'code',
          String(deadLetter.code ?? ''),
          'attempts',
          String(deadLetter.attempts),
        ]
      : [];
    const [nextId, nextEvent] = (await this.scripts.run(
      SCRIPTS.laneDone,
      { outbox: this.keys.outbox(entry.shard), gate: this.keys.laneGate(entry.shard, lane.name), dead: this.keys.deadLetters(entry.shard) },
      { lane: lane.name, consumer, entryId: entry.entryId, liveId: lane.ordered ? entry.event.liveId : '', deadMaxLen: DEAD_LETTER_MAXLEN },
      letter,
    )) as [] | [string, string];
    return nextId ? { shard: entry.shard, entryId: String(nextId), event: JSON.parse(String(nextEvent)) as LiveEvent } : null;
  }

  /**
   * Housekeeping of one shard: trims history older than `retentionMs` (never an entry a lane has not finished)
   * and removes consumers idle longer than `staleMs` that hold nothing (`leaving`: this replica's own, now).
   */
  async maintain(shard: number, consumer: string, retentionMs: number | null, staleMs: number, leaving = false) {
    const cutoff = retentionMs === null ? '' : `${Math.max(0, Date.now() - retentionMs)}-0`;
    const [trimmed, removed] = (await this.scripts.run(
      SCRIPTS.laneMaintain,
      { outbox: this.keys.outbox(shard) },
      { cutoff, staleMs, consumer, leaving: leaving ? 1 : 0 },
      this.lanes.map((l) => l.name),
    )) as [number, number];
    return { trimmed: Number(trimmed), removed: Number(removed) };
  }

  /** Records that `lane` is failing (`failure`) or works again (null); written on a change only. */
  async reportLaneHealth(lane: string, failure: LaneFailure | null): Promise<void> {
    if (failure) await this.redis.hset(this.keys.laneHealth(), lane, JSON.stringify(failure));
    else await this.redis.hdel(this.keys.laneHealth(), lane);
  }

  /** Where each lane stands over every shard: one script per shard, and one HGETALL. */
  async standings(): Promise<LaneStanding[]> {
    const names = this.lanes.map((l) => l.name);
    const [health, perShard] = await Promise.all([
      this.redis.hgetall(this.keys.laneHealth()),
      Promise.all(
        this.keys
          .allShards()
          .map(
            (shard) =>
              this.scripts.run(SCRIPTS.laneStats, { outbox: this.keys.outbox(shard) }, {}, names) as Promise<
                Array<[number, number, string]>
              >,
          ),
      ),
    ]);
    return names.map((lane, i) => {
      let pending = 0;
      let unread: number | null = 0;
      let oldestAt: number | null = null;
      for (const shard of perShard) {
        const [p, u, oldest] = shard[i];
        pending += Number(p);
        unread = unread === null || Number(u) < 0 ? null : unread + Number(u);
        const at = oldest ? Number(String(oldest).split('-')[0]) : null;
        if (at !== null && (oldestAt === null || at < oldestAt)) oldestAt = at;
      }
      const failing = health[lane] ? (JSON.parse(health[lane]) as LaneFailure) : null;
      return { lane, pending, unread, oldestAt, failing };
    });
  }

  /**
   * Depth (events some lane has not finished: the largest lane backlog), entries in delivery, the oldest
   * event not finished by every lane, and dead letters kept, over all shards; plus each lane's standing.
   */
  async summary(): Promise<{ depth: number; inDelivery: number; oldestAt: number | null; deadLetters: number; lanes: LaneStanding[] }> {
    const [lanes, deadLetters] = await Promise.all([
      this.standings(),
      Promise.all(this.keys.allShards().map((s) => this.redis.xlen(this.keys.deadLetters(s)))),
    ]);
    const oldest = lanes.map((l) => l.oldestAt).filter((at): at is number => at !== null);
    return {
      depth: Math.max(0, ...lanes.map((l) => l.pending + (l.unread ?? 0))),
      inDelivery: lanes.reduce((sum, l) => sum + l.pending, 0),
      oldestAt: oldest.length > 0 ? Math.min(...oldest) : null,
      deadLetters: deadLetters.reduce((a, b) => a + b, 0),
      lanes,
    };
  }

  /**
   * Events kept in the outbox (OUTBOX_RETENTION_MS of history), oldest first, from `since` (epoch ms) or after
   * `cursor` (the `next` of a previous page), filtered by type and room. Cost: up to `limit` entries read per shard.
   */
  async events(query: {
    since?: number;
    cursor?: string;
    limit: number;
    type?: string;
    roomId?: string;
  }): Promise<Page<LiveEvent & { cursor: string }>> {
    const page = await this.page(
      (s) => this.keys.outbox(s),
      query,
      (id, fields) => {
        const event = JSON.parse(field(fields, 'event') ?? 'null') as LiveEvent | null;
        if (!event || (query.type && event.type !== query.type) || (query.roomId && event.roomId !== query.roomId)) return null;
        return event;
      },
    );
    return { items: page.items.map(({ item, cursor }) => ({ ...item, cursor })), next: page.next };
  }

  /** Dead letters, oldest first, filtered by lane, event type, room and time; paged like events(). */
  async deadLetters(query: {
    since?: number;
    until?: number;
    cursor?: string;
    limit: number;
    lane?: string;
    type?: string;
    roomId?: string;
  }): Promise<Page<DeadLetter>> {
    const page = await this.page(
      (s) => this.keys.deadLetters(s),
      query,
      (id, fields, shard) => {
        const letter = toDeadLetter(shard, id, fields);
        if (!letter) return null;
        if (query.lane && letter.lane !== query.lane) return null;
        if (query.type && letter.event.type !== query.type) return null;
        if (query.roomId && letter.event.roomId !== query.roomId) return null;
        if (query.until !== undefined && letter.at > query.until) return null;
        return letter;
      },
    );
    return { items: page.items.map((p) => p.item), next: page.next };
  }

  /** One dead letter by its id (`<shard>:<stream id>`), or null. */
  async deadLetter(id: string): Promise<DeadLetter | null> {
    const at = this.parseLetterId(id);
    if (!at) return null;
    const [entry] = (await this.redis.xrange(this.keys.deadLetters(at.shard), at.entryId, at.entryId)) as RawEntry[];
    return entry ? toDeadLetter(at.shard, entry[0], entry[1]) : null;
  }

  /** Removes a dead letter (it was redelivered). */
  async removeDeadLetter(id: string): Promise<void> {
    const at = this.parseLetterId(id);
    if (at) await this.redis.xdel(this.keys.deadLetters(at.shard), at.entryId);
  }

  private parseLetterId(id: string): { shard: number; entryId: string } | null {
    const match = /^(\d+):(\d+-\d+)$/.exec(id);
    if (!match || Number(match[1]) >= this.keys.shards) return null;
    return { shard: Number(match[1]), entryId: match[2] };
  }

  /**
   * A page over one stream per shard, in the order (stream id, shard). A cursor `<stream id>/<shard>` names
   * the last item returned; each shard is read from just after it. A shard whose read came back full bounds
   * how far the others may be taken (its unread entries may sort earlier), so no item is skipped.
   */
  private async page<T>(
    keyOf: (shard: number) => string,
    query: { since?: number; cursor?: string; limit: number },
    pick: (id: string, fields: string[], shard: number) => T | null,
  ): Promise<Page<{ item: T; cursor: string }>> {
    const after = query.cursor ? /^(\d+-\d+)\/(\d+)$/.exec(query.cursor) : null;
    const since = `${Math.max(0, Math.floor(query.since ?? 0))}-0`;
    const reads = await Promise.all(
      this.keys.allShards().map(async (shard) => {
        const start = after ? (shard > Number(after[2]) ? after[1] : `(${after[1]}`) : since;
        const entries = (await this.redis.xrange(keyOf(shard), start, '+', 'COUNT', query.limit)) as RawEntry[];
        return { shard, entries, full: entries.length === query.limit };
      }),
    );
    let horizon: [string, number] | null = null;
    for (const read of reads) {
      if (!read.full) continue;
      const last: [string, number] = [read.entries[read.entries.length - 1][0], read.shard];
      if (!horizon || compareAt(last, horizon) < 0) horizon = last;
    }
    const candidates: Array<{ at: [string, number]; item: T }> = [];
    for (const { shard, entries } of reads) {
      for (const [id, fields] of entries) {
        const at: [string, number] = [id, shard];
        if (horizon && compareAt(at, horizon) > 0) break;
        const item = pick(id, fields, shard);
        if (item !== null) candidates.push({ at, item });
      }
    }
    candidates.sort((a, b) => compareAt(a.at, b.at));
    const items = candidates.slice(0, query.limit).map(({ at, item }) => ({ item, cursor: `${at[0]}/${at[1]}` }));
    const next = items.length === query.limit ? items[items.length - 1].cursor : horizon ? `${horizon[0]}/${horizon[1]}` : null;
    return { items, next };
  }

  private pairs(shard: number, flat: Array<string | number>): OutboxEntry[] {
    const entries: OutboxEntry[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      entries.push({ shard, entryId: String(flat[i]), event: JSON.parse(String(flat[i + 1])) as LiveEvent });
    }
    return entries;
  }
}

function field(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

function toDeadLetter(shard: number, id: string, fields: string[]): DeadLetter | null {
  const event = field(fields, 'event');
  if (!event) return null;
  const code = field(fields, 'code');
  return {
    id: `${shard}:${id}`,
    // Dead letters written before lanes name their notifier instead.
    lane: field(fields, 'lane') ?? field(fields, 'notifier') ?? '',
    at: Number(id.split('-')[0]),
    event: JSON.parse(event) as LiveEvent,
    reason: field(fields, 'reason') ?? field(fields, 'error') ?? '',
    code: code === undefined || code === '' ? undefined : /^\d+$/.test(code) ? Number(code) : code,
    attempts: Number(field(fields, 'attempts') ?? 0),
  };
}

/** Orders (stream id, shard) pairs. */
function compareAt(a: [string, number], b: [string, number]): number {
  const [am, as] = a[0].split('-').map(Number);
  const [bm, bs] = b[0].split('-').map(Number);
  return am - bm || as - bs || a[1] - b[1];
}
