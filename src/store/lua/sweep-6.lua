--[[
  Claims the lives of one shard whose deadline has passed and moves each one step:
  live -> interrupted at its suspect point (or straight to ended when already past its timeout),
  interrupted -> ended at its timeout. Each event goes to the outbox in this same script, so a
  transition is never without its event. It also removes the records of ended lives whose retention
  has passed. Cost: O(log N + due) through ZRANGEBYSCORE ... LIMIT, on each of the three sets.

  Two guards against our own faults:
  * gap: when this shard was last swept more than gapMs ago (every replica, or Redis, was down),
    heartbeats sent meanwhile were lost, so silence is counted from the moment sweeping resumed, and
    the grace of a pending IM disconnect that began before then begins again then.
  * hold: while the mass-timeout guard is engaged, no live is ended for silence; lives stay
    interrupted until they beat again or the hold is released.

  Input:
    KEYS[1] rooms      shard HASH of room records
    KEYS[2] due        shard ZSET of running lives, by suspect point
    KEYS[3] ending     shard ZSET of interrupted lives, by end deadline
    KEYS[4] ended      shard ZSET of ended lives, by when their record expires
    KEYS[5] outbox     shard STREAM of events
    KEYS[6] sweep      shard HASH {last, resumed}: last sweep, last resumption after a gap (ms)

    ARGV[1] tag          the shard's key prefix (tombstones and the anchor index are derived from it)
    ARGV[2] limit        most lives claimed from each set
    ARGV[3] retentionMs
    ARGV[4] gapMs        a longer time since the last sweep counts as our own outage
    ARGV[5] hold         1 = the mass-timeout guard holds silence-endings
    ARGV[6] eventToken   random token for this call's event ids (event-token.ts, emit.lua)

  Output:
    {'swept', transitions, interrupted, ended, claimed, gapMs, rescheduled, nextDueInMs}
    claimed is the largest of the three sets' batches, so a full batch means more may be waiting;
    gapMs is the time since the previous sweep when it exceeded ARGV[4], else 0;
    nextDueInMs: when the shard's earliest live falls due to be judged, from now (-1: none), so the
    sweeper can come back then instead of at its next full pass.

  Events: live.interrupted; live.ended (timeout, or the pending reason of an IM disconnect).
]]
-- @include layout
-- @include now
-- @include room-record
-- @include emit
-- @include finish
local k = {rooms = KEYS[1], due = KEYS[2], ending = KEYS[3], ended = KEYS[4], outbox = KEYS[5], tag = ARGV[1]}
local sweepState = KEYS[6]
local limit, retentionMs = tonumber(ARGV[2]), tonumber(ARGV[3])
local gapMs, hold = tonumber(ARGV[4]), ARGV[5] == '1'
use_event_token(ARGV[6])

local now = now_ms()
local state = redis.call('HMGET', sweepState, 'last', 'resumed')
local resumed = tonumber(state[2]) or 0
local gap = 0
if state[1] and now - tonumber(state[1]) > gapMs then
  gap = now - tonumber(state[1])
  resumed = now
  redis.call('HSET', sweepState, 'resumed', now)
end
redis.call('HSET', sweepState, 'last', now)

local interrupted, endedCount, rescheduled = 0, 0, 0

-- Silence counts from the last beat, or from the end of our own outage if later.
local function silentSince(lastHeartbeatAt)
  return math.max(tonumber(lastHeartbeatAt), resumed)
end

local claimed = redis.call('ZRANGEBYSCORE', k.due, '-inf', now, 'LIMIT', 0, limit)
for _, roomId in ipairs(claimed) do
  local rec = read_room(k.rooms, roomId)
  if not rec or rec.s ~= 'live' then
    redis.call('ZREM', k.due, roomId) -- ended, expired, or already interrupted
  else
    local since = silentSince(rec.hb)
    local suspectAt, endAt = since + rec.su, since + rec.to
    if now < suspectAt then
      redis.call('ZADD', k.due, suspectAt, roomId)
      rescheduled = rescheduled + 1
    elseif now >= endAt and not hold then
      finish(k, rec, roomId, 'timeout', now, retentionMs, endAt)
      endedCount = endedCount + 1
    else
      rec.s = 'interrupted'
      emit(k.outbox, rec, roomId, 'live.interrupted', nil, now)
      write_room(k.rooms, roomId, rec)
      redis.call('ZREM', k.due, roomId)
      redis.call('ZADD', k.ending, endAt, roomId)
      interrupted = interrupted + 1
    end
  end
end

local claimedEnding = {}
if not hold then
  claimedEnding = redis.call('ZRANGEBYSCORE', k.ending, '-inf', now, 'LIMIT', 0, limit)
end
for _, roomId in ipairs(claimedEnding) do
  local rec = read_room(k.rooms, roomId)
  if not rec or rec.s ~= 'interrupted' then
    redis.call('ZREM', k.ending, roomId)
  elseif rec.pr and rec.da < resumed then
    -- The grace began before our own outage, when the anchor's beats could not reach us: it begins again
    -- from the end of the outage, as long as it was (a deadline IM's report set, kept as set otherwise).
    local grace = tonumber(redis.call('ZSCORE', k.ending, roomId)) - rec.da
    rec.da = resumed
    write_room(k.rooms, roomId, rec)
    redis.call('ZADD', k.ending, resumed + grace, roomId)
    rescheduled = rescheduled + 1
  elseif rec.pr then
    finish(k, rec, roomId, rec.pr, now, retentionMs)
    endedCount = endedCount + 1
  else
    local endAt = silentSince(rec.hb) + rec.to
    if now < endAt then
      redis.call('ZADD', k.ending, endAt, roomId)
      rescheduled = rescheduled + 1
    else
      finish(k, rec, roomId, 'timeout', now, retentionMs, endAt)
      endedCount = endedCount + 1
    end
  end
end

-- Ended records past their retention (hash fields have no TTL). Only an ended record is listed
-- there (a new live of the room takes it off), but a live one is never removed whatever the list says.
local expired = redis.call('ZRANGEBYSCORE', k.ended, '-inf', now, 'LIMIT', 0, limit)
for _, roomId in ipairs(expired) do
  local rec = read_room(k.rooms, roomId)
  if rec and rec.s == 'ended' then redis.call('HDEL', k.rooms, roomId) end
  redis.call('ZREM', k.ended, roomId)
end

-- Ended records' expiry is not urgent: only the running and the interrupted lives set the next visit.
local function first_score(key)
  local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return first[2] and tonumber(first[2])
end
local nextAt = first_score(k.due)
local nextEnding = not hold and first_score(k.ending)
if nextEnding and (not nextAt or nextEnding < nextAt) then nextAt = nextEnding end
local nextDueInMs = nextAt and math.max(0, nextAt - now) or -1

return {'swept', transitions_reply(), interrupted, endedCount, math.max(#claimed, #claimedEnding, #expired), gap, rescheduled, nextDueInMs}
