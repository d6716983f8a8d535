-- Ends the live held in `room`: records the reason, emits live.ended, stops tracking its
-- deadlines, and keeps the record (and a tombstone refusing its liveId) for the retention.
-- `deadline` is given for timeout endings only (see emit).
local function finish(room, due, outbox, tag, roomId, reason, now, retentionMs, deadline)
  local liveId = redis.call('HGET', room, 'l')
  redis.call('HSET', room, 's', 'ended', 'en', now, 'r', reason)
  redis.call('HDEL', room, 'pr')
  emit(outbox, room, roomId, 'live.ended', reason, now, deadline)
  redis.call('ZREM', due, roomId)
  redis.call('ZREM', tag .. 'ending', roomId)
  redis.call('PEXPIRE', room, retentionMs)
  redis.call('SET', tag .. 'gone:' .. roomId .. ':' .. liveId, reason, 'PX', retentionMs)
end
