--[[
  IM reports the anchor's client back (Login, or back online in the live group): undoes what
  anchor-offline-4.lua did. A live that was running resumes with the normal suspect deadline; one that
  was already late on heartbeats stays interrupted with its ordinary end deadline.

  Input:
    KEYS[1] rooms      shard HASH of room records
    KEYS[2] due        shard ZSET of running lives
    KEYS[3] ending     shard ZSET of interrupted lives, by end deadline
    KEYS[4] outbox     shard STREAM of events

    ARGV[1] roomId
    ARGV[2] anchorId
    ARGV[3] groupId      '' = no check
    ARGV[4] eventTimeMs  when IM saw it (0 = unknown)

  Output:
    {'resumed', transitions} | {'restored', {}} | {'ignored', {}, why}

  Events: live.resumed.
]]
-- @include layout
-- @include now
-- @include room-record
-- @include emit
local rooms, due, ending, outbox = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local roomId, anchorId, groupId, eventTime = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])

local rec = read_room(rooms, roomId)
if not rec then return {'ignored', {}, 'no live'} end
if rec.a ~= anchorId then return {'ignored', {}, 'another anchor'} end
if groupId ~= '' and rec.g ~= groupId then return {'ignored', {}, 'another group'} end
if rec.s ~= 'interrupted' or rec.pr ~= 'disconnect' then return {'ignored', {}, 'not disconnected'} end
-- Callbacks may arrive out of order: a Login older than the Disconnect changes nothing.
if eventTime > 0 and eventTime < rec.da then return {'ignored', {}, 'older than the disconnect'} end

local now = now_ms()
local from = rec.df
rec.pr, rec.da, rec.df = nil, nil, nil
if from == 'live' then
  rec.s = 'live'
  redis.call('ZREM', ending, roomId)
  redis.call('ZADD', due, now + rec.su, roomId)
  emit(outbox, rec, roomId, 'live.resumed', nil, now)
  write_room(rooms, roomId, rec)
  return {'resumed', transitions_reply()}
end
write_room(rooms, roomId, rec)
redis.call('ZADD', ending, rec.hb + rec.to, roomId)
return {'restored', {}}
