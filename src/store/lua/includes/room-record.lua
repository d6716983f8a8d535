-- The room record: the room's latest live, one field of the shard's `rooms` hash (field = roomId).
-- Packed with cmsgpack as consecutive values (no array header; trailing nils left off), because a
-- tracked live pays every byte: at most 60 bytes keeps the value in jemalloc's 64-byte class.
-- The TypeScript reader and writer are src/store/room-record.ts (ROOM_RECORD lists the same values);
-- test/store/room-record.spec.ts checks both directions over every state and reason. Values, in order:
--   1 liveId
--   2 anchorId
--   3 flags = state + 4 * reasonCode + 32 * (a disconnect is pending) + 64 * (interrupted from live)
--            + 128 * (the last IM presence report said online)
--            state: index in STATES; reasonCode: index in REASONS (ended lives)
--   4 lastHeartbeatAt (ms)
--   5 lastHeartbeatAt - startedAt (ms)
--   6 timeoutMs; nil once ended
--   7 suspectMs; nil once ended
--   8 seq of the last event
--   9 heartbeat rate limiter (GCRA): theoretical arrival time - lastHeartbeatAt * 1000 (µs); nil = never limited
--  10 endedAt - lastHeartbeatAt (ended) or, with a disconnect pending, when its grace began (server time)
--     - lastHeartbeatAt, ms
--  11 groupId; nil when it equals the roomId
--  12 EventTime of the last IM presence report (IM's clock) - lastHeartbeatAt, ms; nil when none came after
--     the last heartbeat (a beat outranks every older report, so an older one need not be kept)
-- STATES, STATE_CODES, REASONS and REASON_CODES come from the generated include `layout`.

-- Decodes a packed record into a table {l, a, g, s, st, hb, to, su, q, tat, en, r, pr, da, df, pt, po}.
-- `pr` (pending reason) is 'disconnect' or nil; `da` when its grace began; `df` (disconnected from) is
-- 'live' or 'interrupted'. `pt` is the EventTime of the last presence report, `po` whether it said online.
local function decode_room(packed, roomId)
  local l, a, flags, hb, st, to, su, q, tat, at, g, pt = cmsgpack.unpack(packed)
  local s = STATES[flags % 4]
  local pending = math.floor(flags / 32) % 2 == 1
  local rec = {
    l = l, a = a, g = g or roomId, s = s, hb = hb, st = hb - st, to = to, su = su, q = q,
    tat = tat and hb * 1000 + tat,
  }
  if s == 'ended' then
    rec.r, rec.en = REASONS[math.floor(flags / 4) % 8], hb + at
  elseif pending then
    rec.pr, rec.da = 'disconnect', hb + at
    rec.df = math.floor(flags / 64) % 2 == 1 and 'live' or 'interrupted'
  end
  if pt and s ~= 'ended' then rec.pt, rec.po = hb + pt, math.floor(flags / 128) % 2 == 1 end
  return rec
end

-- The room's record as decode_room gives it, or nil.
local function read_room(rooms, roomId)
  local packed = redis.call('HGET', rooms, roomId)
  return packed and decode_room(packed, roomId)
end

local function write_room(rooms, roomId, rec)
  local flags = STATE_CODES[rec.s]
  local at = nil
  if rec.s == 'ended' then
    flags = flags + 4 * REASON_CODES[rec.r]
    at = rec.en - rec.hb
  elseif rec.pr then
    flags = flags + 32 + (rec.df == 'live' and 64 or 0)
    at = rec.da - rec.hb
  end
  local pt = nil
  if rec.pt and rec.pt > rec.hb and rec.s ~= 'ended' then
    pt = rec.pt - rec.hb
    if rec.po then flags = flags + 128 end
  end
  -- An ended live keeps no timeouts (only running lives are judged by them): its record then stays in the
  -- allocation class a running live's fits in.
  local running = rec.s ~= 'ended'
  local values = {rec.l, rec.a, flags, rec.hb, rec.hb - rec.st, running and rec.to or nil, running and rec.su or nil, rec.q,
    rec.tat and math.floor(rec.tat - rec.hb * 1000), at}
  if rec.g ~= roomId then values[11] = rec.g end
  values[12] = pt
  local n = 12
  while n > 8 and values[n] == nil do n = n - 1 end
  redis.call('HSET', rooms, roomId, cmsgpack.pack(unpack(values, 1, n)))
end
