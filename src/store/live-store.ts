import { Inject, Injectable } from '@nestjs/common';
import { Environment } from '../config/environment';
import { KeyLayout } from './key-layout';
import { LuaCommands } from './lua-scripts';
import { EndOutcome, EndReason, HeartbeatOutcome, LiveRecord, ShardCounts, SweepOutcome, TransitionCount } from './live-record';
import { REDIS } from './redis.tokens';
import { decodeRoomRecord, RoomRecord } from './room-record';
import { WriteCoalescer } from './write-coalescer';
import type { RedisClient } from './redis-connection';

export interface HeartbeatInput {
  roomId: string;
  liveId: string;
  anchorId: string;
  groupId: string;
  timeoutMs: number;
  suspectMs: number;
}

/** Typed access to the lives kept in Redis; every state change is one Lua script, one round trip. */
@Injectable()
export class LiveStore {
  private readonly scripts: LuaCommands;
  private readonly beats: WriteCoalescer;

  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly keys: KeyLayout,
    private readonly env: Environment,
  ) {
    this.scripts = redis as unknown as LuaCommands;
    this.beats = new WriteCoalescer(redis);
  }

  async heartbeat(input: HeartbeatInput): Promise<HeartbeatOutcome> {
    this.beats.hold();
    return parseHeartbeat(await this.scripts.heartbeat(...this.heartbeatArgs(input)));
  }

  /**
   * Many heartbeats, one round trip per shard touched (a pipeline of heartbeat scripts, all keys in the
   * shard's slot, so it also runs on a Cluster). Outcomes come back in input order; a beat whose shard
   * could not be reached gets the Error instead (the other shards' beats are unaffected).
   */
  async heartbeats(inputs: HeartbeatInput[]): Promise<Array<HeartbeatOutcome | Error>> {
    const byShard = new Map<number, number[]>();
    inputs.forEach((input, i) => {
      const shard = this.keys.shardOf(input.roomId);
      const positions = byShard.get(shard);
      if (positions) positions.push(i);
      else byShard.set(shard, [i]);
    });
    const outcomes = new Array<HeartbeatOutcome | Error>(inputs.length);
    this.beats.hold();
    await Promise.all(
      [...byShard.values()].map(async (positions) => {
        const pipeline = this.redis.pipeline() as unknown as LuaPipeline;
        for (const i of positions) pipeline.heartbeat(...this.heartbeatArgs(inputs[i]));
        try {
          const replies = (await pipeline.exec()) ?? [];
          positions.forEach((i, k) => {
            const [err, reply] = replies[k] ?? [new Error('no reply from Redis'), null];
            outcomes[i] = err ?? parseHeartbeat(reply as HeartbeatReply);
          });
        } catch (err) {
          for (const i of positions) outcomes[i] = err as Error;
        }
      }),
    );
    return outcomes;
  }

  private heartbeatArgs(input: HeartbeatInput): Array<string | number> {
    const shard = this.keys.shardOf(input.roomId);
    return [
      this.keys.rooms(shard),
      this.keys.due(shard),
      this.keys.outbox(shard),
      this.keys.tag(shard),
      input.roomId,
      input.liveId,
      input.anchorId,
      input.groupId,
      input.timeoutMs,
      input.suspectMs,
      this.env.ENDED_RETENTION_MS,
      this.env.HEARTBEAT_RATE_PER_SEC,
      this.env.HEARTBEAT_RATE_BURST,
      // Only IM callbacks read the anchor index: without them it would be memory for nothing.
      this.env.TENCENT_IM_CALLBACK_TOKEN ? 1 : 0,
    ];
  }

  /** Ends the room's live; `liveId`/`anchorId` empty means "whatever runs" (operator use). */
  async end(roomId: string, liveId: string, anchorId: string, reason: EndReason): Promise<EndOutcome> {
    const shard = this.keys.shardOf(roomId);
    const [status, endReason, endedLiveId] = await this.scripts.endLive(
      this.keys.rooms(shard),
      this.keys.due(shard),
      this.keys.outbox(shard),
      this.keys.tag(shard),
      roomId,
      liveId,
      anchorId,
      reason,
      this.env.ENDED_RETENTION_MS,
    );
    if (status === 'ended' || status === 'already') return { kind: status, reason: endReason as EndReason, liveId: endedLiveId as string };
    return { kind: status as 'conflict' | 'unknown' };
  }

  /**
   * The room of the anchor's running live, for IM callbacks (which name an account). The index sits in
   * the room's shard, so every shard is asked (in parallel: callbacks are rare). An anchor found in
   * several rooms (it started anew elsewhere before its old live ended) means its latest live.
   */
  async roomOfAnchor(anchorId: string): Promise<string | null> {
    const found = await Promise.all(this.keys.allShards().map((shard) => this.redis.hget(this.keys.anchors(shard, anchorId), anchorId)));
    const rooms = found.filter((roomId): roomId is string => roomId !== null);
    if (rooms.length <= 1) return rooms[0] ?? null;
    const records = await Promise.all(rooms.map((roomId) => this.record(roomId)));
    const latest = records.filter((r): r is RoomRecord => r !== null).sort((a, b) => b.startedAt - a.startedAt)[0];
    return latest?.roomId ?? null;
  }

  /** IM saw the anchor's client go offline: interrupt the live at once and end it after `graceMs` (anchor-offline-4.lua). */
  async anchorDisconnected(roomId: string, anchorId: string, groupId: string, graceMs: number, eventTime: number) {
    const shard = this.keys.shardOf(roomId);
    const [outcome, why] = await this.scripts.anchorOffline(
      this.keys.rooms(shard), this.keys.due(shard), this.keys.ending(shard), this.keys.outbox(shard), roomId, anchorId, groupId, graceMs, eventTime,
    );
    return { outcome: outcome as 'interrupted' | 'shortened' | 'ignored', why };
  }

  /** IM saw the anchor's client come back: undo the disconnect (anchor-online-4.lua). */
  async anchorReconnected(roomId: string, anchorId: string, groupId: string, eventTime: number) {
    const shard = this.keys.shardOf(roomId);
    const [outcome, why] = await this.scripts.anchorOnline(
      this.keys.rooms(shard), this.keys.due(shard), this.keys.ending(shard), this.keys.outbox(shard), roomId, anchorId, groupId, eventTime,
    );
    return { outcome: outcome as 'resumed' | 'restored' | 'ignored', why };
  }

  async get(roomId: string): Promise<LiveRecord | null> {
    const record = await this.record(roomId);
    if (!record) return null;
    const { liveId, anchorId, groupId, state, startedAt, lastHeartbeatAt, endedAt, reason, timeoutMs } = record;
    return { roomId, liveId, anchorId, groupId, state, startedAt, lastHeartbeatAt, endedAt, reason, timeoutMs };
  }

  /** The room's record (room-record.ts); an ended one past ENDED_RETENTION_MS counts as gone before the sweep removes it. */
  private async record(roomId: string): Promise<RoomRecord | null> {
    const packed = await this.redis.hgetBuffer(this.keys.rooms(this.keys.shardOf(roomId)), roomId);
    if (!packed) return null;
    const record = decodeRoomRecord(roomId, packed);
    if (record.endedAt !== null && record.endedAt + this.env.ENDED_RETENTION_MS <= Date.now()) return null;
    return record;
  }

  /** `hold`: the mass-timeout guard is engaged, so no live may end for silence. */
  async sweepShard(shard: number, limit: number, hold: boolean): Promise<SweepOutcome> {
    const [interrupted, ended, claimed, gapMs, rescheduled, transitions, nextDueInMs] = await this.scripts.sweep(
      this.keys.due(shard),
      this.keys.outbox(shard),
      this.keys.tag(shard),
      limit,
      this.env.ENDED_RETENTION_MS,
      this.env.SWEEP_GAP_MS,
      hold ? 1 : 0,
    );
    return { interrupted, ended, claimed, gapMs, rescheduled, transitions: parseTransitions(transitions), nextDueInMs };
  }

  /** Counts for the mass-timeout guard; `dueToEnd` covers interrupted lives ending within `withinMs`. */
  async shardCounts(shard: number, withinMs: number): Promise<ShardCounts> {
    const [running, interrupted, dueToEnd] = await this.scripts.guardCounts(this.keys.due(shard), this.keys.ending(shard), withinMs);
    return { running, interrupted, dueToEnd };
  }

  /** Room ids of the lives of one shard that are `live` (or `interrupted`), earliest deadline first. */
  async runningRooms(shard: number, offset: number, count: number, interrupted = false): Promise<string[]> {
    const key = interrupted ? this.keys.ending(shard) : this.keys.due(shard);
    return this.redis.zrange(key, offset, offset + count - 1);
  }

  /** Lives by state, from each shard's two deadline sets: O(shards), no scan. */
  async countByState(): Promise<{ live: number; interrupted: number }> {
    const perShard = await Promise.all(this.keys.allShards().map((shard) => this.shardCounts(shard, 0)));
    return perShard.reduce(
      (sum, c) => ({ live: sum.live + c.running, interrupted: sum.interrupted + c.interrupted }),
      { live: 0, interrupted: 0 },
    );
  }
}

type HeartbeatReply = Awaited<ReturnType<LuaCommands['heartbeat']>>;

/** The heartbeat script as a pipeline command. */
interface LuaPipeline {
  heartbeat(...args: Array<string | number>): LuaPipeline;
  exec(): Promise<Array<[Error | null, unknown]> | null>;
}

function parseHeartbeat([status, value, emitted, transitions]: HeartbeatReply): HeartbeatOutcome {
  if (status === 'ok') {
    return { kind: 'ok', deadline: Number(value), eventsEmitted: Number(emitted), transitions: parseTransitions(transitions) };
  }
  if (status === 'gone') return { kind: 'gone', reason: value as EndReason };
  if (status === 'limited') return { kind: 'limited', retryAfterMs: Number(value) };
  return { kind: 'conflict' };
}

/** Reads the `{"<type>:<reason>", count, …}` list the scripts return (see includes/emit.lua). */
function parseTransitions(flat: Array<string | number> | undefined): TransitionCount[] {
  const counts: TransitionCount[] = [];
  for (let i = 0; flat && i + 1 < flat.length; i += 2) {
    const [type, reason] = String(flat[i]).split(':');
    counts.push({
      type: type.replace(/^live\./, '') as TransitionCount['type'],
      reason: (reason || null) as EndReason | null,
      count: Number(flat[i + 1]),
    });
  }
  return counts;
}
