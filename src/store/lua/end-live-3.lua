-- Ends a room's live on request (the anchor's normal end, or an operator's). Idempotent.
-- KEYS: room hash, shard deadline zset, shard outbox stream
-- ARGV: tag, roomId, liveId ('' = whatever runs), anchorId ('' = no check), reason, retentionMs
-- Returns {'ended', reason, liveId} | {'already', reason, liveId} | {'conflict'} | {'unknown'}
-- @include now
-- @include emit
-- @include finish
local room, due, outbox = KEYS[1], KEYS[2], KEYS[3]
local tag, roomId, liveId, anchorId, reason = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local retentionMs = tonumber(ARGV[6])

local current = redis.call('HMGET', room, 'l', 'a', 's', 'r')
if liveId == '' then liveId = current[1] end
if not liveId or current[1] ~= liveId then
  local goneReason = liveId and redis.call('GET', tag .. 'gone:' .. roomId .. ':' .. liveId)
  if goneReason then return {'already', goneReason, liveId} end
  return {'unknown'}
end
if anchorId ~= '' and current[2] ~= anchorId then return {'conflict'} end
if current[3] == 'ended' then return {'already', current[4], liveId} end

finish(room, due, outbox, tag, roomId, reason, now_ms(), retentionMs)
return {'ended', reason, liveId}
