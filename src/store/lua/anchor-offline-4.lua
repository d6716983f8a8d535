--[[
  IM reports the anchor's client offline (Disconnect, Logout, or Offline in the live group). The report is
  judged by its own EventTime against everything known about the anchor: a report not newer than the
  anchor's last heartbeat or than its last presence report changes nothing (a Login wins a tie: IM sends a
  multi-instance kick as Login + Logout with one EventTime). Otherwise the running live becomes
  `interrupted` and must hear from the anchor within the grace, or the sweep ends it with reason
  'disconnect' (the pending reason). A heartbeat (heartbeat-7.lua) or a newer Login (anchor-online-4.lua)
  clears it: heartbeats stay the truth.

  Input:
    KEYS[1] rooms      shard HASH of room records
    KEYS[2] due        shard ZSET of running lives
    KEYS[3] ending     shard ZSET of interrupted lives, by end deadline
    KEYS[4] outbox     shard STREAM of events

    ARGV[1] roomId
    ARGV[2] anchorId
    ARGV[3] groupId      '' = no check
    ARGV[4] graceMs      the grace of a room with the configured timeout
    ARGV[5] eventTimeMs  when IM saw it (0 = unknown: now)
    ARGV[6] timeoutMs    the configured timeout; a room with its own gets the grace scaled like its beat interval
    ARGV[7] eventToken   random token for this call's event ids (event-token.ts, emit.lua)

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
local graceMs, eventTime, timeoutMs = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
use_event_token(ARGV[7])

local rec = read_room(rooms, roomId)
if not rec then return {'ignored', {}, 'no live'} end
if rec.a ~= anchorId then return {'ignored', {}, 'another anchor'} end
if groupId ~= '' and rec.g ~= groupId then return {'ignored', {}, 'another group'} end
local state = rec.s
if state ~= 'live' and state ~= 'interrupted' then return {'ignored', {}, 'not running'} end

local now = now_ms()
local reportedAt = eventTime > 0 and eventTime or now
-- The anchor beat at or after the moment IM saw it go: the report is stale.
if reportedAt <= rec.hb then return {'ignored', {}, 'heartbeat since'} end
-- A newer (or equally new) report came first: this one is older news, or a repeat.
if rec.pt and reportedAt <= rec.pt then return {'ignored', {}, 'not newer than the last report'} end
rec.pt, rec.po = reportedAt, false

if rec.pr then
  -- Already waiting out a grace: a later offline report neither shortens it nor changes what it interrupted.
  write_room(rooms, roomId, rec)
  return {'ignored', {}, 'already pending'}
end

local grace = math.floor(graceMs * rec.to / timeoutMs)
local deadline = math.min(now + grace, rec.hb + rec.to)
if state == 'interrupted' then
  -- Its score is already the end deadline for silence; only ever bring it closer.
  local current = tonumber(redis.call('ZSCORE', ending, roomId))
  if current and current < deadline then deadline = current end
end
rec.s, rec.pr, rec.da, rec.df = 'interrupted', 'disconnect', now, state
redis.call('ZREM', due, roomId)
redis.call('ZADD', ending, deadline, roomId)
if state == 'live' then
  emit(outbox, rec, roomId, 'live.interrupted', 'disconnect', now)
  write_room(rooms, roomId, rec)
  return {'interrupted', transitions_reply()}
end
write_room(rooms, roomId, rec)
return {'shortened', {}}
