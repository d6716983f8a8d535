-- Ends the live in record `rec`: records the reason, emits live.ended, stops tracking its deadlines,
-- and keeps the record (and a tombstone refusing its liveId) for the retention: hash fields have no
-- TTL, so the shard's `ended` zset holds when each record expires and the sweep removes it then.
-- Drops the anchor index entry when it still points at this room. Writes the record.
-- `k`: the shard's keys {rooms, due, ending, ended, outbox, tag}; the tombstone and the anchor index
-- bucket belong to the record's live and anchor, so they are derived (the generated include `layout`, src/store/lua-layout.ts).
-- `deadline` is given for timeout endings only (see emit).
local function finish(k, rec, roomId, reason, now, retentionMs, deadline)
  rec.s, rec.en, rec.r, rec.pr, rec.da, rec.df = 'ended', now, reason, nil, nil, nil
  emit(k.outbox, rec, roomId, 'live.ended', reason, now, deadline)
  write_room(k.rooms, roomId, rec)
  redis.call('ZREM', k.due, roomId)
  redis.call('ZREM', k.ending, roomId)
  redis.call('ZADD', k.ended, now + retentionMs, roomId)
  local anchors = anchor_index_key(k.tag, rec.a)
  if redis.call('HGET', anchors, rec.a) == roomId then redis.call('HDEL', anchors, rec.a) end
  redis.call('SET', gone_key(k.tag, roomId, rec.l), reason, 'PX', retentionMs)
end
