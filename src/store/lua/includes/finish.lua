-- Ends the live in record `rec`: records the reason, emits live.ended, stops tracking its deadlines,
-- and keeps the record (and a tombstone refusing its liveId) for the retention: hash fields have no
-- TTL, so the shard's `ended` zset holds when each record expires and the sweep removes it then.
-- Drops the anchor index entry (anchor-index.lua) when it still points at this room. Writes the record.
-- `deadline` is given for timeout endings only (see emit).
local function finish(rooms, rec, due, outbox, tag, roomId, reason, now, retentionMs, deadline)
  rec.s, rec.en, rec.r, rec.pr, rec.da, rec.df = 'ended', now, reason, nil, nil, nil
  emit(outbox, rec, roomId, 'live.ended', reason, now, deadline)
  write_room(rooms, roomId, rec)
  redis.call('ZREM', due, roomId)
  redis.call('ZREM', tag .. 'ending', roomId)
  redis.call('ZADD', tag .. 'ended', now + retentionMs, roomId)
  local anchors = anchor_index(tag, rec.a)
  if redis.call('HGET', anchors, rec.a) == roomId then redis.call('HDEL', anchors, rec.a) end
  redis.call('SET', tag .. 'gone:' .. roomId .. ':' .. rec.l, reason, 'PX', retentionMs)
end
