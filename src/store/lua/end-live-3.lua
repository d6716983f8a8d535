-- Ends a room's live on request (the anchor's normal end, or an operator's). Idempotent.
-- KEYS: shard hash of room records, shard deadline zset, shard outbox stream
-- ARGV: tag, roomId, liveId ('' = whatever runs), anchorId ('' = no check), reason, retentionMs
-- Returns {'ended', reason, liveId} | {'already', reason, liveId} | {'conflict'} | {'unknown'}
-- @include now
-- @include room-record
-- @include emit
-- @include anchor-index
-- @include finish
local rooms, due, outbox = KEYS[1], KEYS[2], KEYS[3]
local tag, roomId, liveId, anchorId, reason = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local retentionMs = tonumber(ARGV[6])

local now = now_ms()
local rec = read_room(rooms, roomId)
-- An ended record past its retention is only waiting for the sweep to remove it.
if rec and rec.s == 'ended' and rec.en + retentionMs <= now then rec = nil end
if liveId == '' then liveId = rec and rec.l end
if not liveId or not rec or rec.l ~= liveId then
  local goneReason = liveId and redis.call('GET', tag .. 'gone:' .. roomId .. ':' .. liveId)
  if goneReason then return {'already', goneReason, liveId} end
  return {'unknown'}
end
if anchorId ~= '' and rec.a ~= anchorId then return {'conflict'} end
if rec.s == 'ended' then return {'already', rec.r, liveId} end

finish(rooms, rec, due, outbox, tag, roomId, reason, now, retentionMs)
return {'ended', reason, liveId}
