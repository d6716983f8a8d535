-- IM reports the anchor's client back (Login, or back online in the live group): undoes what
-- anchor-offline-4.lua did. A live that was running resumes with the normal suspect deadline; one that
-- was already late on heartbeats stays interrupted with its ordinary end deadline.
-- KEYS: room hash, shard zset of running lives, shard zset of interrupted lives, shard outbox stream
-- ARGV: roomId, anchorId, groupId ('' = no check), eventTimeMs (0 = unknown)
-- Returns {'resumed'} | {'restored'} | {'ignored', why}
-- @include now
-- @include emit
local room, due, ending, outbox = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local roomId, anchorId, groupId, eventTime = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])

local f = redis.call('HMGET', room, 'l', 'a', 's', 'pr', 'da',
  'df', 'hb', 'to', 'su', 'g')
if not f[1] then return {'ignored', 'no live'} end
if f[2] ~= anchorId then return {'ignored', 'another anchor'} end
if groupId ~= '' and f[10] ~= groupId then return {'ignored', 'another group'} end
if f[3] ~= 'interrupted' or f[4] ~= 'disconnect' then return {'ignored', 'not disconnected'} end
-- Callbacks may arrive out of order: a Login older than the Disconnect changes nothing.
if eventTime > 0 and eventTime < tonumber(f[5]) then return {'ignored', 'older than the disconnect'} end

local now = now_ms()
redis.call('HDEL', room, 'pr')
if f[6] == 'live' then
  redis.call('HSET', room, 's', 'live')
  redis.call('ZREM', ending, roomId)
  redis.call('ZADD', due, now + tonumber(f[9]), roomId)
  emit(outbox, room, roomId, 'live.resumed', nil, now)
  return {'resumed'}
end
redis.call('ZADD', ending, tonumber(f[7]) + tonumber(f[8]), roomId)
return {'restored'}
