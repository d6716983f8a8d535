--[[
  IM reports the anchor's client online (Login, or Online in the live group). The report is judged by its
  own EventTime: one older than the anchor's last presence report changes nothing; a newer one (or one
  as new: a Login wins a tie) is remembered, so an older offline report that arrives after it is ignored
  (anchor-offline-4.lua), and it cancels a pending disconnect. A live that was running when IM reported it
  gone resumes at once, unless its heartbeats are late themselves (heartbeats stay the truth: it stays
  interrupted, ending at its ordinary deadline).

  Input:
    KEYS[1] rooms      shard HASH of room records
    KEYS[2] due        shard ZSET of running lives
    KEYS[3] ending     shard ZSET of interrupted lives, by end deadline
    KEYS[4] outbox     shard STREAM of events

    ARGV[1] roomId
    ARGV[2] anchorId
    ARGV[3] groupId      '' = no check
    ARGV[4] eventTimeMs  when IM saw it (0 = unknown: now)
    ARGV[5] eventToken   random token for this call's event ids (event-token.ts, emit.lua)

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
use_event_token(ARGV[5])

local rec = read_room(rooms, roomId)
if not rec then return {'ignored', {}, 'no live'} end
if rec.a ~= anchorId then return {'ignored', {}, 'another anchor'} end
if groupId ~= '' and rec.g ~= groupId then return {'ignored', {}, 'another group'} end
if rec.s ~= 'live' and rec.s ~= 'interrupted' then return {'ignored', {}, 'not running'} end

local now = now_ms()
local reportedAt = eventTime > 0 and eventTime or now
-- Callbacks arrive in no promised order: a Login older than the last report is older news.
if rec.pt and reportedAt < rec.pt then return {'ignored', {}, 'older than the last report'} end
rec.pt, rec.po = reportedAt, true

if not rec.pr then
  write_room(rooms, roomId, rec)
  return {'ignored', {}, 'not disconnected'}
end

local from = rec.df
rec.pr, rec.da, rec.df = nil, nil, nil
if from == 'live' and now < rec.hb + rec.su then
  rec.s = 'live'
  redis.call('ZREM', ending, roomId)
  redis.call('ZADD', due, rec.hb + rec.su, roomId)
  emit(outbox, rec, roomId, 'live.resumed', nil, now)
  write_room(rooms, roomId, rec)
  return {'resumed', transitions_reply()}
end
-- Interrupted for silence too: the ordinary end deadline (the sweep applies the gap rule to it).
write_room(rooms, roomId, rec)
redis.call('ZADD', ending, rec.hb + rec.to, roomId)
return {'restored', {}}
