import { decodeMulti, encode } from '@msgpack/msgpack';
import type { EndReason, LiveRecord, LiveState } from './live-record';

/**
 * The room record: one field of the shard's rooms hash (KeyLayout.rooms, field = roomId), the room's
 * latest live as consecutive msgpack values (no array header, trailing nils left off). The Lua scripts
 * read and write it through includes/room-record.lua; this is its TypeScript reader. Every byte is
 * paid per tracked live: a value of at most 60 bytes stays in jemalloc's 64-byte class (bench/memory.ts),
 * hence flags instead of strings and times as offsets from lastHeartbeatAt.
 */
export const ROOM_RECORD = [
  'liveId',
  'anchorId',
  'flags: state (1 live, 2 interrupted, 3 ended) + 4 × end reason (index in END_REASONS, from 1) + 32 × disconnect pending + 64 × interrupted from live',
  'lastHeartbeatAt (ms)',
  'lastHeartbeatAt − startedAt (ms)',
  'timeoutMs',
  'suspectMs',
  'seq of the last event',
  'heartbeat rate limiter (GCRA): theoretical arrival time − lastHeartbeatAt × 1000 (µs); nil: limit off',
  'endedAt − lastHeartbeatAt (ended), or disconnectedAt − lastHeartbeatAt (disconnect pending), ms',
  'groupId; nil when it equals the roomId',
] as const;

const STATES: LiveState[] = ['live', 'interrupted', 'ended'];
const END_REASONS: EndReason[] = ['normal', 'timeout', 'disconnect', 'admin', 'superseded'];

/** Everything the record holds, decoded: the live as the API shows it, and what only the scripts use. */
export interface RoomRecord extends LiveRecord {
  suspectMs: number;
  seq: number;
  /** The end reason an IM disconnect report set ('disconnect'), while the live waits for its grace. */
  pendingReason: 'disconnect' | null;
}

export function decodeRoomRecord(roomId: string, packed: Buffer): RoomRecord {
  const [liveId, anchorId, flags, hb, sinceStart, timeoutMs, suspectMs, seq, , at, groupId] = [...decodeMulti(packed)] as [
    string, string, number, number, number, number, number, number, unknown, number | null | undefined, string | null | undefined,
  ];
  const state = STATES[(flags % 4) - 1];
  const ended = state === 'ended';
  return {
    roomId,
    liveId,
    anchorId,
    groupId: groupId ?? roomId,
    state,
    startedAt: hb - sinceStart,
    lastHeartbeatAt: hb,
    timeoutMs,
    suspectMs,
    seq,
    endedAt: ended ? hb + Number(at) : null,
    reason: ended ? END_REASONS[(Math.floor(flags / 4) % 8) - 1] : null,
    pendingReason: !ended && Math.floor(flags / 32) % 2 === 1 ? 'disconnect' : null,
  };
}

/**
 * Packs a running live as heartbeat-3.lua would (no rate limiter state): for benchmarks and tests that
 * load many lives straight into Redis. The service itself only writes records from Lua.
 */
export function encodeRunningRecord(live: {
  roomId: string; liveId: string; anchorId: string; groupId?: string; startedAt: number; lastHeartbeatAt: number;
  timeoutMs: number; suspectMs: number; seq: number;
}): Buffer {
  const values: unknown[] = [
    live.liveId, live.anchorId, 1, live.lastHeartbeatAt, live.lastHeartbeatAt - live.startedAt, live.timeoutMs, live.suspectMs, live.seq,
  ];
  if (live.groupId !== undefined && live.groupId !== live.roomId) values.push(null, null, live.groupId);
  return Buffer.concat(values.map((value) => encode(value)));
}
