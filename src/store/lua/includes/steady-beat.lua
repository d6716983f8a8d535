-- The steady beat of the heartbeat scripts (heartbeat-7.lua, heartbeat-many-5.lua); needs layout and gcra before it.
-- The scripts take it before the full path (beat.lua) is even defined: Redis runs a script's whole chunk on every
-- call, so the pieces only the full path uses would cost every steady beat their set-up.

-- The steady beat: the room's running live `liveId` beats again, nothing pending. This is what nearly every
-- call is (every anchor, every few seconds), so it reads and rewrites the packed record `packed` directly
-- (room-record.lua's order) and answers as the full path in beat() would. No tombstone is read: a liveId is
-- refused only once its live ended (the record then says so) or a newer live replaced it in the record
-- (finish.lua), so a record still running this liveId means neither.
-- Returns nil when `packed` is not such a record (the full path decides); otherwise the reply and, when the
-- beat is taken, the record to write, after which the room is next judged at now + suspectMs (the caller writes
-- both: heartbeat-many-5.lua writes a whole batch's in one HSET and one ZADD). A taken beat's reply is its
-- deadline alone, a number: building the reply's tables would cost Redis as much as the beat itself.
local function steady_beat(packed, liveId, anchorId, timeoutMs, suspectMs, ratePerSec, burst, now)
  local l, a, flags, hb, st, to, su, q, tat, at, g, pt = cmsgpack.unpack(packed)
  if l ~= liveId or flags ~= STATE_CODES.live then return nil end
  local allowed, nextTat = take_beat(tat and hb * 1000 + tat, ratePerSec, burst, now)
  if not allowed then return {'limited', {}, nextTat} end
  if a ~= anchorId then return {'conflict', {}, a} end
  -- Times are kept relative to lastHeartbeatAt, which becomes now; trailing nils are left off. A presence
  -- report dated after this beat (IM's clock ahead of ours) is kept, as write_room keeps it; an older one goes.
  local tatOffset = nextTat and math.floor(nextTat - now * 1000)
  local ptOffset = pt and hb + pt - now
  if ptOffset and ptOffset > 0 then
    packed = cmsgpack.pack(l, a, flags, now, st + now - hb, timeoutMs, suspectMs, q, tatOffset, nil, g, ptOffset)
  elseif g then
    packed = cmsgpack.pack(l, a, flags, now, st + now - hb, timeoutMs, suspectMs, q, tatOffset, nil, g)
  elseif tatOffset then
    packed = cmsgpack.pack(l, a, flags, now, st + now - hb, timeoutMs, suspectMs, q, tatOffset)
  else
    packed = cmsgpack.pack(l, a, flags, now, st + now - hb, timeoutMs, suspectMs, q)
  end
  return now + timeoutMs, packed
end
