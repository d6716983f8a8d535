-- Appends the next event of the live held in `room` to the shard's outbox. The event id is
-- <liveId>:<seq>, so a redelivery of the same event is recognisably the same.
local function emit(outbox, room, roomId, eventType, reason, now)
  local seq = redis.call('HINCRBY', room, 'seq', 1)
  local f = redis.call('HMGET', room, 'liveId', 'anchorId', 'groupId')
  local event = {
    id = f[1] .. ':' .. seq, type = eventType, seq = seq, roomId = roomId,
    liveId = f[1], anchorId = f[2], groupId = f[3], reason = reason, at = now,
  }
  redis.call('XADD', outbox, '*', 'event', cjson.encode(event))
end
