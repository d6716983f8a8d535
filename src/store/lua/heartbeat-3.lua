-- A heartbeat: starts a live, extends it, resumes it, or supersedes the room's previous live.
-- KEYS: room hash, shard deadline zset of running lives, shard outbox stream
-- (the shard's zset of interrupted lives, <tag>ending, is derived from the tag)
-- The room's anchor is rate limited by a token bucket in the room hash, inside this same round trip.
-- ARGV: tag, roomId, liveId, anchorId, groupId, timeoutMs, suspectMs, retentionMs, ratePerSec (0 = off), burst
-- Returns {'ok', deadline, eventsEmitted, transitions} (transitions: see emit) | {'gone', reason}
--   | {'conflict', anchorId} | {'limited', retryAfterMs}
-- @include now
-- @include token-bucket
-- @include emit
-- @include finish
local room, due, outbox = KEYS[1], KEYS[2], KEYS[3]
local tag, roomId, liveId, anchorId, groupId = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local timeoutMs, suspectMs, retentionMs = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local ratePerSec, burst = tonumber(ARGV[9]), tonumber(ARGV[10])

local goneReason = redis.call('GET', tag .. 'gone:' .. roomId .. ':' .. liveId)
if goneReason then return {'gone', goneReason} end

local now = now_ms()
local tokens, retryAfterMs = take_token(room, ratePerSec, burst, now)
if not tokens then return {'limited', retryAfterMs} end

local current = redis.call('HMGET', room, 'l', 'a', 's')
local emitted = 0

if current[1] == liveId then
  if current[2] ~= anchorId then return {'conflict', current[2]} end
  redis.call('HSET', room, 'hb', now, 'to', timeoutMs, 'su', suspectMs)
  if current[3] == 'interrupted' then
    redis.call('HSET', room, 's', 'live')
    redis.call('HDEL', room, 'pr')
    redis.call('ZREM', tag .. 'ending', roomId)
    emit(outbox, room, roomId, 'live.resumed', nil, now)
    emitted = 1
  end
else
  if current[1] and current[3] ~= 'ended' then
    finish(room, due, outbox, tag, roomId, 'superseded', now, retentionMs)
    emitted = 1
  end
  redis.call('DEL', room)
  redis.call('HSET', room, 'l', liveId, 'a', anchorId, 'g', groupId, 's', 'live',
    'st', now, 'hb', now, 'to', timeoutMs, 'su', suspectMs)
  emit(outbox, room, roomId, 'live.started', nil, now)
  emitted = emitted + 1
end

-- Written after the branches: a new live recreates the hash, and the bucket must survive that.
store_bucket(room, ratePerSec, tokens, now)
redis.call('ZADD', due, now + suspectMs, roomId)
return {'ok', now + timeoutMs, emitted, transitions_reply()}
