-- IM reports the anchor's client offline: the running live becomes `interrupted` at once and must
-- hear from the anchor within the grace, or the sweep ends it with reason 'disconnect' (field pr).
-- A heartbeat (heartbeat-3.lua) or a reconnect (anchor-online-4.lua) clears it: heartbeats stay the truth.
-- KEYS: room hash, shard zset of running lives, shard zset of interrupted lives, shard outbox stream
-- ARGV: roomId, anchorId, groupId ('' = no check), graceMs, eventTimeMs (0 = unknown)
-- Returns {'interrupted'} | {'shortened'} | {'ignored', why}
-- @include now
-- @include emit
local room, due, ending, outbox = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local roomId, anchorId, groupId = ARGV[1], ARGV[2], ARGV[3]
local graceMs, eventTime = tonumber(ARGV[4]), tonumber(ARGV[5])

local f = redis.call('HMGET', room, 'l', 'a', 's', 'hb', 'to', 'g')
if not f[1] then return {'ignored', 'no live'} end
if f[2] ~= anchorId then return {'ignored', 'another anchor'} end
if groupId ~= '' and f[6] ~= groupId then return {'ignored', 'another group'} end
local state = f[3]
if state ~= 'live' and state ~= 'interrupted' then return {'ignored', 'not running'} end
local lastBeat = tonumber(f[4])
-- The anchor beat after IM saw it go: the report is stale.
if eventTime > 0 and eventTime < lastBeat then return {'ignored', 'heartbeat since'} end

local now = now_ms()
local deadline = math.min(now + graceMs, lastBeat + tonumber(f[5]))
if state == 'interrupted' then
  -- Its score is already the end deadline; only ever bring it closer.
  local current = tonumber(redis.call('ZSCORE', ending, roomId))
  if current and current < deadline then deadline = current end
end
redis.call('HSET', room, 's', 'interrupted', 'pr', 'disconnect',
  'da', eventTime > 0 and eventTime or now, 'df', state)
redis.call('ZREM', due, roomId)
redis.call('ZADD', ending, deadline, roomId)
if state == 'live' then
  emit(outbox, room, roomId, 'live.interrupted', 'disconnect', now)
  return {'interrupted'}
end
return {'shortened'}
