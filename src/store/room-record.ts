import { decodeMulti, encode } from '@msgpack/msgpack';
import { END_REASONS, LIVE_STATES } from '../events/live-lifecycle';
import type { LiveRecord } from './live-record';

/**
 * The room record: one field of the shard's rooms hash (KeyLayout.rooms, field = roomId), the room's
 * latest live as consecutive msgpack values (no array header, trailing nils left off). The Lua scripts
 * read and write it through includes/room-record.lua; this is its TypeScript reader and writer, and
 * test/store/room-record.spec.ts checks that the two agree, byte for byte, on every state and reason.
 * Every byte is paid per tracked live: a value of at most 60 bytes stays in jemalloc's 64-byte class
 * (bench/memory.ts), hence flags instead of strings and times as offsets from lastHeartbeatAt.
 */
export const ROOM_RECORD = [
  'liveId',
  'anchorId',
  'flags: state (1-based index in LIVE_STATES) + 4 × end reason (1-based index in END_REASONS) + 32 × disconnect pending + 64 × interrupted from live + 128 × last IM presence report said online',
  'lastHeartbeatAt (ms)',
  'lastHeartbeatAt − startedAt (ms)',
  'timeoutMs; nil once ended',
  'suspectMs; nil once ended',
  'seq of the last event',
  'heartbeat rate limiter (GCRA): theoretical arrival time − lastHeartbeatAt × 1000 (µs); nil: limit off',
  "endedAt − lastHeartbeatAt (ended), or disconnectedAt (when the pending disconnect's grace began, server time) − lastHeartbeatAt, ms",
  'groupId; nil when it equals the roomId',
  'EventTime of the last IM presence report − lastHeartbeatAt, ms; nil: none since the last heartbeat (which outranks older reports)',
] as const;

// The flags leave two bits for the state and three for the reason.
if (LIVE_STATES.length > 3 || END_REASONS.length > 7) throw new Error('room record flags cannot hold every state and end reason');

/** Everything the record holds, decoded: the live as the API shows it, and what only the scripts use. */
export interface RoomRecord extends LiveRecord {
  /** null once ended, like timeoutMs. */
  suspectMs: number | null;
  seq: number;
  /** The end reason an IM disconnect report set ('disconnect'), while the live waits for its grace. */
  pendingReason: 'disconnect' | null;
  /** With a pending disconnect: when its grace began (server time, epoch ms; counted again after our own outage), and the state it interrupted. */
  disconnectedAt: number | null;
  disconnectedFrom: 'live' | 'interrupted' | null;
  /** The anchor's heartbeat rate limiter (GCRA): theoretical arrival time, epoch µs; null when the limit is off. */
  rateTatUs: number | null;
  /**
   * The last IM presence report about the anchor since its last heartbeat (running lives): its EventTime (IM's
   * clock, epoch ms) and whether it said online. A report older than it (or than the last beat) changes nothing.
   */
  lastPresence: { at: number; online: boolean } | null;
}

export function decodeRoomRecord(roomId: string, packed: Buffer): RoomRecord {
  const [liveId, anchorId, flags, hb, sinceStart, timeoutMs, suspectMs, seq, tat, at, groupId, presence] = [...decodeMulti(packed)] as [
    string,
    string,
    number,
    number,
    number,
    number | null,
    number | null,
    number,
    number | null | undefined,
    number | null | undefined,
    string | null | undefined,
    number | null | undefined,
  ];
  const state = LIVE_STATES[(flags % 4) - 1];
  const ended = state === 'ended';
  const pending = !ended && Math.floor(flags / 32) % 2 === 1;
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
    pendingReason: pending ? 'disconnect' : null,
    disconnectedAt: pending ? hb + Number(at) : null,
    disconnectedFrom: pending ? (Math.floor(flags / 64) % 2 === 1 ? 'live' : 'interrupted') : null,
    rateTatUs: tat === null || tat === undefined ? null : hb * 1000 + tat,
    lastPresence:
      ended || presence === null || presence === undefined ? null : { at: hb + presence, online: Math.floor(flags / 128) % 2 === 1 },
  };
}

/**
 * Packs a record as write_room in includes/room-record.lua does. The service itself only writes records
 * from Lua; benchmarks and tests use this to load many lives straight into Redis.
 */
export function encodeRoomRecord(record: RoomRecord): Buffer {
  const hb = record.lastHeartbeatAt;
  let flags = LIVE_STATES.indexOf(record.state) + 1;
  let at: number | null = null;
  if (record.state === 'ended') {
    flags += 4 * (END_REASONS.indexOf(record.reason!) + 1);
    at = record.endedAt! - hb;
  } else if (record.pendingReason) {
    flags += 32 + (record.disconnectedFrom === 'live' ? 64 : 0);
    at = record.disconnectedAt! - hb;
  }
  const presence = record.state !== 'ended' && record.lastPresence && record.lastPresence.at > hb ? record.lastPresence : null;
  if (presence?.online) flags += 128;
  const values: unknown[] = [
    record.liveId,
    record.anchorId,
    flags,
    hb,
    hb - record.startedAt,
    record.state === 'ended' ? null : record.timeoutMs,
    record.state === 'ended' ? null : record.suspectMs,
    record.seq,
    record.rateTatUs === null ? null : Math.floor(record.rateTatUs - hb * 1000),
    at,
    record.groupId !== record.roomId ? record.groupId : null,
    presence ? presence.at - hb : null,
  ];
  while (values.length > 8 && values[values.length - 1] === null) values.pop();
  return Buffer.concat(values.map((value) => encode(value)));
}

/** A running live as heartbeat-7.lua starts it (no rate limiter state), packed: for benchmarks and tests. */
export function encodeRunningRecord(live: {
  roomId: string;
  liveId: string;
  anchorId: string;
  groupId?: string;
  startedAt: number;
  lastHeartbeatAt: number;
  timeoutMs: number;
  suspectMs: number;
  seq: number;
}): Buffer {
  return encodeRoomRecord({
    ...live,
    groupId: live.groupId ?? live.roomId,
    state: 'live',
    endedAt: null,
    reason: null,
    pendingReason: null,
    disconnectedAt: null,
    disconnectedFrom: null,
    rateTatUs: null,
    lastPresence: null,
  });
}
