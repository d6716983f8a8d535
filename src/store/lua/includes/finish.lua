-- Ends the live in record `rec`: records the reason, emits live.ended, stops tracking its deadlines,
-- and keeps the record for the retention: hash fields have no TTL, so the shard's `ended` zset holds when
-- each record expires and the sweep removes it then. While the record holds the ended live it is that
-- live's tombstone (beat.lua and end-live refuse its liveId from it); a tombstone key of its own is written
-- only if a new live replaces the record before the retention is over (keep_tombstone): one key fewer
-- per ended live.
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
end

-- The ended live in `rec` leaves the room record (a new live replaces it): its liveId stays refused for the
-- rest of its retention through a tombstone key of its own (gone:<roomId>:<liveId> -> end reason).
local function keep_tombstone(k, rec, roomId, now, retentionMs)
  local left = rec.en + retentionMs - now
  if left > 0 then redis.call('SET', gone_key(k.tag, roomId, rec.l), rec.r, 'PX', left) end
end
