-- A heartbeat: starts a live, extends it, resumes it, or supersedes the room's previous live.
-- KEYS: room hash, shard deadline zset of running lives, shard outbox stream
-- (the shard's zset of interrupted lives, <tag>ending, is derived from the tag)
-- ARGV: tag, roomId, liveId, anchorId, groupId, timeoutMs, suspectMs, retentionMs
-- Returns {'ok', deadline, eventsEmitted, transitions} (transitions: see emit) | {'gone', reason} | {'conflict', anchorId}
-- @include now
-- @include emit
-- @include finish
local room, due, outbox = KEYS[1], KEYS[2], KEYS[3]
local tag, roomId, liveId, anchorId, groupId = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local timeoutMs, suspectMs, retentionMs = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])

local goneReason = redis.call('GET', tag .. 'gone:' .. roomId .. ':' .. liveId)
if goneReason then return {'gone', goneReason} end

local now = now_ms()
local current = redis.call('HMGET', room, 'liveId', 'anchorId', 'state')
local emitted = 0

if current[1] == liveId then
  if current[2] ~= anchorId then return {'conflict', current[2]} end
  redis.call('HSET', room, 'lastHeartbeatAt', now, 'timeoutMs', timeoutMs, 'suspectMs', suspectMs)
  if current[3] == 'interrupted' then
    redis.call('HSET', room, 'state', 'live')
    redis.call('HDEL', room, 'pendingReason')
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
  redis.call('HSET', room, 'liveId', liveId, 'anchorId', anchorId, 'groupId', groupId, 'state', 'live',
    'startedAt', now, 'lastHeartbeatAt', now, 'timeoutMs', timeoutMs, 'suspectMs', suspectMs)
  emit(outbox, room, roomId, 'live.started', nil, now)
  emitted = emitted + 1
end

redis.call('ZADD', due, now + suspectMs, roomId)
return {'ok', now + timeoutMs, emitted, transitions_reply()}
