import Redis from 'ioredis';
import { END_REASONS, LIVE_STATES } from '../../src/events/live-lifecycle';
import { withIncludes } from '../../src/store/lua-scripts';
import { decodeRoomRecord, encodeRoomRecord, RoomRecord } from '../../src/store/room-record';
import { RedisServer } from '../support/redis-server';

/**
 * The room record is written by Lua (includes/room-record.lua) and read by TypeScript (room-record.ts), and
 * the benchmarks write it from TypeScript: both sides must agree on every field, state and reason.
 * Lua reads each TypeScript-packed record and writes it back; the bytes must come back unchanged, the
 * fields Lua saw must be the record's, and TypeScript must decode Lua's bytes to the same record.
 */
const ROUND_TRIP = withIncludes(`
-- @include layout
-- @include room-record
local rec = read_room(KEYS[1], ARGV[1])
write_room(KEYS[2], ARGV[1], rec)
-- Numbers as exact decimal strings: cjson keeps only 14 digits, and µs times have 16.
local seen = {}
for name, value in pairs(rec) do
  seen[#seen + 1] = name
  seen[#seen + 1] = type(value) == 'number' and string.format('%.0f', value) or tostring(value)
end
return seen
`);

/** The Lua table's short names (room-record.lua) for the TypeScript fields. */
function asLuaSees(r: RoomRecord): Record<string, unknown> {
  const seen: Record<string, unknown> = {
    l: r.liveId,
    a: r.anchorId,
    g: r.groupId,
    s: r.state,
    st: r.startedAt,
    hb: r.lastHeartbeatAt,
    to: r.timeoutMs ?? undefined,
    su: r.suspectMs ?? undefined,
    q: r.seq,
    tat: r.rateTatUs ?? undefined,
    en: r.endedAt ?? undefined,
    r: r.reason ?? undefined,
    pr: r.pendingReason ?? undefined,
    da: r.disconnectedAt ?? undefined,
    df: r.disconnectedFrom ?? undefined,
    pt: r.lastPresence?.at,
    po: r.lastPresence?.online,
  };
  return Object.fromEntries(
    Object.entries(seen)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, String(v)]),
  );
}

function records(): RoomRecord[] {
  const hb = 1_800_000_123_456;
  const base: RoomRecord = {
    roomId: 'room-1',
    liveId: 'live-1',
    anchorId: 'anchor-1',
    groupId: 'room-1',
    state: 'live',
    startedAt: hb - 3_600_000,
    lastHeartbeatAt: hb,
    endedAt: null,
    reason: null,
    timeoutMs: 20000,
    suspectMs: 10000,
    seq: 7,
    pendingReason: null,
    disconnectedAt: null,
    disconnectedFrom: null,
    rateTatUs: null,
    lastPresence: null,
  };
  // An ended record keeps no timeouts.
  const ended = { ...base, state: 'ended' as const, timeoutMs: null, suspectMs: null };
  const all: RoomRecord[] = [];
  for (const state of LIVE_STATES) {
    if (state === 'ended') {
      for (const reason of END_REASONS) all.push({ ...ended, reason, endedAt: hb + 12345, seq: 300 });
    } else {
      all.push({ ...base, state });
      for (const from of ['live', 'interrupted'] as const) {
        all.push({ ...base, state: 'interrupted', pendingReason: 'disconnect', disconnectedAt: hb + 50, disconnectedFrom: from });
      }
    }
  }
  // Optional values: a rate limiter state, another group, ids outside ASCII, large numbers.
  all.push({ ...base, rateTatUs: hb * 1000 + 250_000 });
  // The last IM presence report: online or offline, before or after the last beat, with a pending disconnect or not.
  all.push({ ...base, lastPresence: { at: hb + 200, online: true } });
  all.push({ ...base, lastPresence: { at: hb + 5000, online: false }, groupId: 'group-9' });
  all.push({
    ...base,
    state: 'interrupted',
    pendingReason: 'disconnect',
    disconnectedAt: hb + 300,
    disconnectedFrom: 'live',
    lastPresence: { at: hb + 100, online: false },
  });
  all.push({ ...base, groupId: 'group-9' });
  all.push({ ...ended, groupId: 'group-9', reason: 'admin', endedAt: hb + 1, rateTatUs: hb * 1000 + 1 });
  all.push({ ...base, roomId: '房间-ü', liveId: 'ライブ-1', anchorId: 'ανκορ', groupId: '房间-ü', seq: 2 ** 31 + 5, timeoutMs: 3_600_000 });
  return all;
}

describe('room record: the Lua writer and the TypeScript reader agree', () => {
  let server: RedisServer;
  let redis: Redis;

  beforeAll(async () => {
    server = await RedisServer.start();
    redis = server.client();
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.destroy();
  });

  it('on every field, state and end reason, both ways, byte for byte', async () => {
    const cases = records();
    expect(new Set(cases.filter((r) => r.state === 'ended').map((r) => r.reason))).toEqual(new Set(END_REASONS));
    for (const record of cases) {
      const packed = encodeRoomRecord(record);
      await redis.hset('from-ts', record.roomId, packed);
      const flat = (await redis.eval(ROUND_TRIP, 2, 'from-ts', 'from-lua', record.roomId)) as string[];
      const seen = Object.fromEntries(flat.flatMap((v, i) => (i % 2 === 0 ? [[v, flat[i + 1]]] : [])));
      expect(seen).toEqual(asLuaSees(record));
      const written = await redis.hgetBuffer('from-lua', record.roomId);
      expect(written?.toString('hex')).toBe(packed.toString('hex'));
      expect(decodeRoomRecord(record.roomId, written!)).toEqual(record);
    }
  });
});
