--[[
  IM reports the anchor's client offline: the running live becomes `interrupted` at once and must hear
  from the anchor within the grace, or the sweep ends it with reason 'disconnect' (the pending reason).
  A heartbeat (heartbeat-7.lua) or a reconnect (anchor-online-4.lua) clears it: heartbeats stay the truth.

  Input:
    KEYS[1] rooms      shard HASH of room records
    KEYS[2] due        shard ZSET of running lives
    KEYS[3] ending     shard ZSET of interrupted lives, by end deadline
    KEYS[4] outbox     shard STREAM of events

    ARGV[1] roomId
    ARGV[2] anchorId
    ARGV[3] groupId      '' = no check
    ARGV[4] graceMs
    ARGV[5] eventTimeMs  when IM saw it (0 = unknown)

  Output:
    {'interrupted', transitions} | {'shortened', {}} | {'ignored', {}, why}

  Events: live.interrupted (reason disconnect).
]]
-- @include layout
-- @include now
-- @include room-record
-- @include emit
local rooms, due, ending, outbox = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local roomId, anchorId, groupId = ARGV[1], ARGV[2], ARGV[3]
local graceMs, eventTime = tonumber(ARGV[4]), tonumber(ARGV[5])

local rec = read_room(rooms, roomId)
if not rec then return {'ignored', {}, 'no live'} end
if rec.a ~= anchorId then return {'ignored', {}, 'another anchor'} end
if groupId ~= '' and rec.g ~= groupId then return {'ignored', {}, 'another group'} end
local state = rec.s
if state ~= 'live' and state ~= 'interrupted' then return {'ignored', {}, 'not running'} end
-- The anchor beat after IM saw it go: the report is stale.
if eventTime > 0 and eventTime < rec.hb then return {'ignored', {}, 'heartbeat since'} end

local now = now_ms()
local deadline = math.min(now + graceMs, rec.hb + rec.to)
if state == 'interrupted' then
  -- Its score is already the end deadline; only ever bring it closer.
  local current = tonumber(redis.call('ZSCORE', ending, roomId))
  if current and current < deadline then deadline = current end
end
rec.s, rec.pr, rec.da, rec.df = 'interrupted', 'disconnect', eventTime > 0 and eventTime or now, state
redis.call('ZREM', due, roomId)
redis.call('ZADD', ending, deadline, roomId)
if state == 'live' then
  emit(outbox, rec, roomId, 'live.interrupted', 'disconnect', now)
  write_room(rooms, roomId, rec)
  return {'interrupted', transitions_reply()}
end
write_room(rooms, roomId, rec)
return {'shortened', {}}
