import { Inject, Injectable } from '@nestjs/common';
import { ConfigSection, InjectConfig } from '../config/sections';
import { LiveEventBus, TransitionCause } from '../events/live-event-bus';
import { Clock } from './clock';
import { eventToken } from './event-token';
import { KeyLayout } from './key-layout';
import { EndOutcome, EndReason, HeartbeatOutcome, LiveRecord, ShardCounts, SweepOutcome } from './live-record';
import { REDIS } from './redis.tokens';
import { decodeRoomRecord, RoomRecord } from './room-record';
import { ArgsOf, KeysOf, SCRIPTS } from './script-specs';
import { ScriptReply, ScriptRunner, toReply } from './scripts';
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

/**
 * Typed access to the lives kept in Redis; every state change is one Lua script, one round trip.
 * Whenever a script made transitions, it publishes them (LiveEventBus 'transitions') before returning.
 */
@Injectable()
export class LiveStore {
  private readonly scripts: ScriptRunner;
  private readonly beats: WriteCoalescer;

  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly keys: KeyLayout,
    @InjectConfig('store') private readonly env: ConfigSection<'store'>,
    private readonly bus: LiveEventBus,
    private readonly clock: Clock,
  ) {
    this.scripts = new ScriptRunner(redis);
    this.beats = new WriteCoalescer(redis);
  }

  /** Starts, extends, resumes or supersedes a live (heartbeat-7.lua). */
  async heartbeat(input: HeartbeatInput): Promise<HeartbeatOutcome> {
    this.beats.hold();
    return this.heartbeatOutcome(await this.scripts.change(SCRIPTS.heartbeat, ...this.heartbeatCall(input)));
  }

  /**
   * Many heartbeats, one round trip per shard touched: one heartbeat-many-5.lua call per shard (keys all in the
   * shard's slot, so it also runs on a Cluster), each beat taken as heartbeat() takes it. Outcomes come back in
   * input order; a beat whose shard could not be reached gets the Error instead (other shards' beats are unaffected).
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
      [...byShard].map(async ([shard, positions]) => {
        const beats = positions.flatMap((i) => {
          const { roomId, liveId, anchorId, groupId, timeoutMs, suspectMs } = inputs[i];
          return [roomId, liveId, anchorId, groupId, timeoutMs, suspectMs];
        });
        try {
          const raw = (await this.scripts.run(SCRIPTS.heartbeatMany, this.shardKeys(shard), this.beatSettings(shard), beats)) as unknown[];
          positions.forEach((i, k) => (outcomes[i] = this.heartbeatOutcome(toReply(raw[k + 2]))));
        } catch (err) {
          for (const i of positions) outcomes[i] = err as Error;
        }
      }),
    );
    return outcomes;
  }

  private shardKeys(shard: number): KeysOf<typeof SCRIPTS.heartbeatMany> {
    const { keys } = this;
    return {
      rooms: keys.rooms(shard),
      due: keys.due(shard),
      ending: keys.ending(shard),
      ended: keys.ended(shard),
      outbox: keys.outbox(shard),
    };
  }

  private beatSettings(shard: number): ArgsOf<typeof SCRIPTS.heartbeatMany> {
    return {
      tag: this.keys.tag(shard),
      retentionMs: this.env.ENDED_RETENTION_MS,
      ratePerSec: this.env.HEARTBEAT_RATE_PER_SEC,
      burst: this.env.HEARTBEAT_RATE_BURST,
      // Only IM callbacks read the anchor index: without them it would be memory for nothing.
      indexAnchor: this.env.TENCENT_IM_CALLBACK_TOKEN ? 1 : 0,
      eventToken: eventToken(),
    };
  }

  private heartbeatCall(input: HeartbeatInput): [KeysOf<typeof SCRIPTS.heartbeat>, ArgsOf<typeof SCRIPTS.heartbeat>] {
    const shard = this.keys.shardOf(input.roomId);
    return [
      {
        rooms: this.keys.rooms(shard),
        due: this.keys.due(shard),
        ending: this.keys.ending(shard),
        ended: this.keys.ended(shard),
        outbox: this.keys.outbox(shard),
        gone: this.keys.gone(shard, input.roomId, input.liveId),
        anchors: this.keys.anchors(shard, input.anchorId),
      },
      {
        tag: this.keys.tag(shard),
        roomId: input.roomId,
        liveId: input.liveId,
        anchorId: input.anchorId,
        groupId: input.groupId,
        timeoutMs: input.timeoutMs,
        suspectMs: input.suspectMs,
        retentionMs: this.env.ENDED_RETENTION_MS,
        ratePerSec: this.env.HEARTBEAT_RATE_PER_SEC,
        burst: this.env.HEARTBEAT_RATE_BURST,
        // Only IM callbacks read the anchor index: without them it would be memory for nothing.
        indexAnchor: this.env.TENCENT_IM_CALLBACK_TOKEN ? 1 : 0,
        eventToken: eventToken(),
      },
    ];
  }

  private heartbeatOutcome(reply: ScriptReply): HeartbeatOutcome {
    this.report('heartbeat', reply);
    const [value] = reply.values;
    switch (reply.outcome) {
      case 'ok':
        return { kind: 'ok', deadline: Number(value), transitions: reply.transitions };
      case 'gone':
        return { kind: 'gone', reason: value as EndReason };
      case 'limited':
        return { kind: 'limited', retryAfterMs: Number(value) };
      default:
        return { kind: 'conflict' };
    }
  }

  /**
   * Ends the room's live (end-live-6.lua); `liveId`/`anchorId` empty means "whatever runs" (operator use). An
   * anchor's end of a liveId not seen yet is remembered, so that live's late first heartbeat gets 410.
   */
  async end(roomId: string, liveId: string, anchorId: string, reason: EndReason): Promise<EndOutcome> {
    const shard = this.keys.shardOf(roomId);
    const reply = await this.scripts.change(
      SCRIPTS.endLive,
      {
        rooms: this.keys.rooms(shard),
        due: this.keys.due(shard),
        ending: this.keys.ending(shard),
        ended: this.keys.ended(shard),
        outbox: this.keys.outbox(shard),
        gone: this.keys.gone(shard, roomId, liveId),
      },
      { tag: this.keys.tag(shard), roomId, liveId, anchorId, reason, retentionMs: this.env.ENDED_RETENTION_MS, eventToken: eventToken() },
    );
    this.report('end', reply);
    const [endReason, endedLiveId] = reply.values as [EndReason, string];
    if (reply.outcome === 'ended' || reply.outcome === 'already' || reply.outcome === 'remembered') {
      return { kind: reply.outcome, reason: endReason, liveId: endedLiveId };
    }
    return { kind: reply.outcome as 'conflict' | 'unknown' };
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

  /**
   * IM saw the anchor's client go offline at `eventTimeMs` (IM's EventTime; 0: unknown, now): unless the anchor beat or
   * was reported since, interrupt the live and end it after `graceMs`, scaled for a room with its own timeout
   * (anchor-offline-4.lua).
   */
  async anchorDisconnected(roomId: string, anchorId: string, groupId: string, graceMs: number, eventTimeMs: number) {
    const shard = this.keys.shardOf(roomId);
    const reply = await this.scripts.change(SCRIPTS.anchorOffline, this.presenceKeys(shard), {
      roomId,
      anchorId,
      groupId,
      graceMs,
      eventTimeMs,
      timeoutMs: this.env.HEARTBEAT_TIMEOUT_MS,
      eventToken: eventToken(),
    });
    this.report('im-callback', reply);
    return { outcome: reply.outcome as 'interrupted' | 'shortened' | 'ignored', why: reply.values[0] as string | undefined };
  }

  /** IM saw the anchor's client online at `eventTimeMs`: remembered, and a newer report than the disconnect cancels it (anchor-online-4.lua). */
  async anchorReconnected(roomId: string, anchorId: string, groupId: string, eventTimeMs: number) {
    const shard = this.keys.shardOf(roomId);
    const reply = await this.scripts.change(SCRIPTS.anchorOnline, this.presenceKeys(shard), {
      roomId,
      anchorId,
      groupId,
      eventTimeMs,
      eventToken: eventToken(),
    });
    this.report('im-callback', reply);
    return { outcome: reply.outcome as 'resumed' | 'restored' | 'ignored', why: reply.values[0] as string | undefined };
  }

  async get(roomId: string): Promise<LiveRecord | null> {
    const record = await this.record(roomId);
    if (!record) return null;
    const { liveId, anchorId, groupId, state, startedAt, lastHeartbeatAt, endedAt, reason, timeoutMs } = record;
    return { roomId, liveId, anchorId, groupId, state, startedAt, lastHeartbeatAt, endedAt, reason, timeoutMs };
  }

  /** The room's record (room-record.ts); an ended one past ENDED_RETENTION_MS counts as gone before the sweep removes it. */
  async record(roomId: string): Promise<RoomRecord | null> {
    const packed = await this.redis.hgetBuffer(this.keys.rooms(this.keys.shardOf(roomId)), roomId);
    if (!packed) return null;
    const record = decodeRoomRecord(roomId, packed);
    if (record.endedAt !== null && record.endedAt + this.env.ENDED_RETENTION_MS <= this.clock.now()) return null;
    return record;
  }

  /** One batch of a shard's sweep (sweep-6.lua); `hold`: the mass-timeout guard is engaged, so no live may end for silence. */
  async sweepShard(shard: number, limit: number, hold: boolean): Promise<SweepOutcome> {
    const reply = await this.scripts.change(
      SCRIPTS.sweep,
      {
        rooms: this.keys.rooms(shard),
        due: this.keys.due(shard),
        ending: this.keys.ending(shard),
        ended: this.keys.ended(shard),
        outbox: this.keys.outbox(shard),
        sweep: this.keys.sweepState(shard),
      },
      {
        tag: this.keys.tag(shard),
        limit,
        retentionMs: this.env.ENDED_RETENTION_MS,
        gapMs: this.env.SWEEP_GAP_MS,
        hold: hold ? 1 : 0,
        eventToken: eventToken(),
      },
    );
    this.report('sweep', reply);
    const [interrupted, ended, claimed, gapMs, rescheduled, nextDueInMs] = reply.values as number[];
    return { interrupted, ended, claimed, gapMs, rescheduled, transitions: reply.transitions, nextDueInMs };
  }

  /** Counts for the mass-timeout guard (guard-counts-2.lua); `dueToEnd` covers interrupted lives ending within `withinMs`. */
  async shardCounts(shard: number, withinMs: number): Promise<ShardCounts> {
    const [running, interrupted, dueToEnd] = (await this.scripts.run(
      SCRIPTS.guardCounts,
      { due: this.keys.due(shard), ending: this.keys.ending(shard) },
      { withinMs },
    )) as [number, number, number];
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
    return perShard.reduce((sum, c) => ({ live: sum.live + c.running, interrupted: sum.interrupted + c.interrupted }), {
      live: 0,
      interrupted: 0,
    });
  }

  private presenceKeys(shard: number) {
    return { rooms: this.keys.rooms(shard), due: this.keys.due(shard), ending: this.keys.ending(shard), outbox: this.keys.outbox(shard) };
  }

  /** Publishes what a script did; its events are already in the outbox. */
  private report(cause: TransitionCause, reply: ScriptReply): void {
    if (reply.transitions.length > 0) this.bus.publish('transitions', { cause, transitions: reply.transitions });
  }
}
