-- The full path of a heartbeat (heartbeat-7.lua one at a time, heartbeat-many-5.lua by the batch), for every beat that
-- is not a steady beat (steady-beat.lua). Needs the includes layout, room-record, gcra, emit and finish before it.

-- One heartbeat against a shard's keys `k` {rooms, due, ending, ended, outbox, tag}, at `now`: starts a live,
-- extends it, resumes it, or supersedes the room's previous live; the room's anchor is rate limited (GCRA, in the
-- room record). `goneKey` is this liveId's tombstone, `anchors` the anchor index bucket (written only when
-- indexAnchor). `packed` is the room's record as the caller read it in this call (false: the room has none), or nil
-- to have it read here. Returns what heartbeat-7.lua returns for it (a beat that only extends the live answers
-- {'ok', {}, deadline} here). Both scripts call it for the beats steady_beat did not take.
local function beat(k, goneKey, anchors, roomId, liveId, anchorId, groupId, timeoutMs, suspectMs, retentionMs, ratePerSec, burst, indexAnchor, now, packed)
  if packed == nil then packed = redis.call('HGET', k.rooms, roomId) end
  local rec = packed and decode_room(packed, roomId)
  if rec and rec.l == liveId and rec.s == 'ended' then
    -- The record is the ended live's tombstone while retained (past it, the sweep has yet to remove it).
    if rec.en + retentionMs > now then return {'gone', {}, rec.r} end
  elseif not rec or rec.l ~= liveId then
    -- A live of the room that a newer one replaced in the record keeps a tombstone key (finish.lua).
    local goneReason = redis.call('GET', goneKey)
    if goneReason then return {'gone', {}, goneReason} end
  end

  local allowed, tat = take_beat(rec and rec.tat, ratePerSec, burst, now)
  if not allowed then return {'limited', {}, tat} end

  -- An ended live past its retention (the sweep has yet to remove it) is forgotten: a new live.
  if rec and rec.l == liveId and rec.s ~= 'ended' then
    if rec.a ~= anchorId then return {'conflict', {}, rec.a} end
    rec.hb, rec.to, rec.su = now, timeoutMs, suspectMs
    if rec.s == 'interrupted' then
      rec.s, rec.pr, rec.da, rec.df = 'live', nil, nil, nil
      redis.call('ZREM', k.ending, roomId)
      emit(k.outbox, rec, roomId, 'live.resumed', nil, now)
    end
  else
    local previousLiveId = nil
    if rec then
      if rec.s ~= 'ended' then
        -- Its viewers are told of the new live instead of its ending (live.started names it).
        previousLiveId = rec.l
        finish(k, rec, roomId, 'superseded', now, retentionMs)
      end
      -- The record is replaced, so it no longer waits to expire; its live keeps being refused.
      keep_tombstone(k, rec, roomId, now, retentionMs)
      redis.call('ZREM', k.ended, roomId)
    end
    rec = {l = liveId, a = anchorId, g = groupId, s = 'live', st = now, hb = now, to = timeoutMs, su = suspectMs, q = 0}
    if indexAnchor then redis.call('HSET', anchors, anchorId, roomId) end
    emit(k.outbox, rec, roomId, 'live.started', nil, now, nil, previousLiveId)
  end

  -- Kept across a new live of the room, like the anchor's rate.
  rec.tat = tat
  write_room(k.rooms, roomId, rec)
  redis.call('ZADD', k.due, now + suspectMs, roomId)
  return {'ok', transitions_reply(), now + timeoutMs}
end
