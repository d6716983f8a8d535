-- Appends the next event of the live held in `room` to the shard's outbox. The event id is
-- <liveId>:<seq>, so a redelivery of the same event is recognisably the same.
-- `deadline` (timeout endings only) is when the live was due: receivers and metrics measure detection lag from it.
-- Every script returns `transitions_reply()` so its caller can count what it did by type and reason.
local transitions = {}
local function emit(outbox, room, roomId, eventType, reason, now, deadline)
  local seq = redis.call('HINCRBY', room, 'q', 1)
  local f = redis.call('HMGET', room, 'l', 'a', 'g')
  local event = {
    id = f[1] .. ':' .. seq, type = eventType, seq = seq, roomId = roomId,
    liveId = f[1], anchorId = f[2], groupId = f[3], reason = reason, at = now, deadline = deadline,
  }
  redis.call('XADD', outbox, '*', 'event', cjson.encode(event))
  local key = eventType .. ':' .. (reason or '')
  transitions[key] = (transitions[key] or 0) + 1
end

-- {"<type>:<reason>", count, ...}: what this script emitted.
local function transitions_reply()
  local flat = {}
  for key, count in pairs(transitions) do
    flat[#flat + 1] = key
    flat[#flat + 1] = count
  end
  return flat
end
