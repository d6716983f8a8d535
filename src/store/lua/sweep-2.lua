-- Claims the lives of one shard whose deadline has passed and moves each one step:
-- live -> interrupted at its suspect point (or straight to ended when already past its timeout),
-- interrupted -> ended at its timeout. Each event goes to the outbox in this same script, so a
-- transition is never without its event. It also removes the records of ended lives whose retention
-- has passed (<tag>ended). Cost: O(log N + due) through ZRANGEBYSCORE ... LIMIT, on each of the three sets.
--
-- Two guards against our own faults:
-- * gap: when this shard was last swept more than gapMs ago (every replica, or Redis, was down),
--   heartbeats sent meanwhile were lost, so silence is counted from the moment sweeping resumed.
-- * hold: while the mass-timeout guard is engaged, no live is ended for silence; lives stay
--   interrupted until they beat again or the hold is released.
-- KEYS: shard zset of running lives (by suspect point), shard outbox stream
-- ARGV: tag, limit, retentionMs, gapMs, hold (0|1)
-- Returns {interrupted, ended, claimed, gapMs, rescheduled, transitions, nextDueInMs} (transitions: see emit);
--   claimed is the largest of the three sets' batches, so a full batch means more may be waiting;
--   nextDueInMs: when the shard's earliest live falls due to be judged, from now (-1: none), so the
--   sweeper can come back then instead of at its next full pass.
-- @include now
-- @include room-record
-- @include emit
-- @include anchor-index
-- @include finish
local due, outbox = KEYS[1], KEYS[2]
local tag, limit, retentionMs = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local gapMs, hold = tonumber(ARGV[4]), ARGV[5] == '1'
local rooms, ending, ended, sweepState = tag .. 'rooms', tag .. 'ending', tag .. 'ended', tag .. 'sweep'

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

local claimed = redis.call('ZRANGEBYSCORE', due, '-inf', now, 'LIMIT', 0, limit)
for _, roomId in ipairs(claimed) do
  local rec = read_room(rooms, roomId)
  if not rec or rec.s ~= 'live' then
    redis.call('ZREM', due, roomId) -- ended, expired, or already interrupted
  else
    local since = silentSince(rec.hb)
    local suspectAt, endAt = since + rec.su, since + rec.to
    if now < suspectAt then
      redis.call('ZADD', due, suspectAt, roomId)
      rescheduled = rescheduled + 1
    elseif now >= endAt and not hold then
      finish(rooms, rec, due, outbox, tag, roomId, 'timeout', now, retentionMs, endAt)
      endedCount = endedCount + 1
    else
      rec.s = 'interrupted'
      emit(outbox, rec, roomId, 'live.interrupted', nil, now)
      write_room(rooms, roomId, rec)
      redis.call('ZREM', due, roomId)
      redis.call('ZADD', ending, endAt, roomId)
      interrupted = interrupted + 1
    end
  end
end

local claimedEnding = {}
if not hold then
  claimedEnding = redis.call('ZRANGEBYSCORE', ending, '-inf', now, 'LIMIT', 0, limit)
end
for _, roomId in ipairs(claimedEnding) do
  local rec = read_room(rooms, roomId)
  if not rec or rec.s ~= 'interrupted' then
    redis.call('ZREM', ending, roomId)
  elseif rec.pr then
    -- A deadline shortened by an IM disconnect report is kept as set.
    finish(rooms, rec, due, outbox, tag, roomId, rec.pr, now, retentionMs)
    endedCount = endedCount + 1
  else
    local endAt = silentSince(rec.hb) + rec.to
    if now < endAt then
      redis.call('ZADD', ending, endAt, roomId)
      rescheduled = rescheduled + 1
    else
      finish(rooms, rec, due, outbox, tag, roomId, 'timeout', now, retentionMs, endAt)
      endedCount = endedCount + 1
    end
  end
end

-- Ended records past their retention (hash fields have no TTL). Only an ended record is listed
-- there (a new live of the room takes it off), but a live one is never removed whatever the list says.
local expired = redis.call('ZRANGEBYSCORE', ended, '-inf', now, 'LIMIT', 0, limit)
for _, roomId in ipairs(expired) do
  local rec = read_room(rooms, roomId)
  if rec and rec.s == 'ended' then redis.call('HDEL', rooms, roomId) end
  redis.call('ZREM', ended, roomId)
end

-- Ended records' expiry is not urgent: only the running and the interrupted lives set the next visit.
local function first_score(key)
  local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return first[2] and tonumber(first[2])
end
local nextAt = first_score(due)
local nextEnding = not hold and first_score(ending)
if nextEnding and (not nextAt or nextEnding < nextAt) then nextAt = nextEnding end
local nextDueInMs = nextAt and math.max(0, nextAt - now) or -1

return {interrupted, endedCount, math.max(#claimed, #claimedEnding, #expired), gap, rescheduled, transitions_reply(), nextDueInMs}
