-- A heartbeat: starts a live, extends it, resumes it, or supersedes the room's previous live.
-- KEYS: shard hash of room records, shard deadline zset of running lives, shard outbox stream
-- (the shard's zsets of interrupted and of ended lives, <tag>ending and <tag>ended, and its anchor
-- index (anchor-index.lua) are derived from the tag)
-- The room's anchor is rate limited (GCRA, in the room record), inside this same round trip.
-- ARGV: tag, roomId, liveId, anchorId, groupId, timeoutMs, suspectMs, retentionMs, ratePerSec (0 = off), burst,
--   indexAnchor (1 = record anchorId -> roomId when a live starts, for IM callbacks)
-- Returns {'ok', deadline, eventsEmitted, transitions} (transitions: see emit) | {'gone', reason}
--   | {'conflict', anchorId} | {'limited', retryAfterMs}
-- @include now
-- @include room-record
-- @include gcra
-- @include emit
-- @include anchor-index
-- @include finish
local rooms, due, outbox = KEYS[1], KEYS[2], KEYS[3]
local tag, roomId, liveId, anchorId, groupId = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local timeoutMs, suspectMs, retentionMs = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local ratePerSec, burst, indexAnchor = tonumber(ARGV[9]), tonumber(ARGV[10]), ARGV[11] == '1'

local goneReason = redis.call('GET', tag .. 'gone:' .. roomId .. ':' .. liveId)
if goneReason then return {'gone', goneReason} end

local now = now_ms()
local rec = read_room(rooms, roomId)
local allowed, tat = take_beat(rec and rec.tat, ratePerSec, burst, now)
if not allowed then return {'limited', tat} end

local emitted = 0
-- An ended live whose tombstone is gone is past its retention (the sweep has yet to remove it): a new live.
if rec and rec.l == liveId and rec.s ~= 'ended' then
  if rec.a ~= anchorId then return {'conflict', rec.a} end
  rec.hb, rec.to, rec.su = now, timeoutMs, suspectMs
  if rec.s == 'interrupted' then
    rec.s, rec.pr, rec.da, rec.df = 'live', nil, nil, nil
    redis.call('ZREM', tag .. 'ending', roomId)
    emit(outbox, rec, roomId, 'live.resumed', nil, now)
    emitted = 1
  end
else
  if rec then
    if rec.s ~= 'ended' then
      finish(rooms, rec, due, outbox, tag, roomId, 'superseded', now, retentionMs)
      emitted = 1
    end
    -- The record is replaced, so it no longer waits to expire.
    redis.call('ZREM', tag .. 'ended', roomId)
  end
  rec = {l = liveId, a = anchorId, g = groupId, s = 'live', st = now, hb = now, to = timeoutMs, su = suspectMs, q = 0}
  if indexAnchor then redis.call('HSET', anchor_index(tag, anchorId), anchorId, roomId) end
  emit(outbox, rec, roomId, 'live.started', nil, now)
  emitted = emitted + 1
end

-- Kept across a new live of the room, like the anchor's rate.
rec.tat = tat
write_room(rooms, roomId, rec)
redis.call('ZADD', due, now + suspectMs, roomId)
return {'ok', now + timeoutMs, emitted, transitions_reply()}
