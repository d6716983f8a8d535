-- Claims the lives of one shard whose deadline has passed and moves each one step:
-- live -> interrupted at its suspect point (or straight to ended when already past its timeout),
-- interrupted -> ended at its timeout. Each event goes to the outbox in this same script, so a
-- transition is never without its event. Cost: O(log N + due) through ZRANGEBYSCORE ... LIMIT.
--
-- Two guards against our own faults:
-- * gap: when this shard was last swept more than gapMs ago (every replica, or Redis, was down),
--   heartbeats sent meanwhile were lost, so silence is counted from the moment sweeping resumed.
-- * hold: while the mass-timeout guard is engaged, no live is ended for silence; lives stay
--   interrupted until they beat again or the hold is released.
-- KEYS: shard zset of running lives (by suspect point), shard outbox stream
-- ARGV: tag, limit, retentionMs, gapMs, hold (0|1)
-- Returns {interrupted, ended, claimed, gapMs, rescheduled, transitions} (transitions: see emit)
-- @include now
-- @include emit
-- @include finish
local due, outbox = KEYS[1], KEYS[2]
local tag, limit, retentionMs = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local gapMs, hold = tonumber(ARGV[4]), ARGV[5] == '1'
local ending, sweepState = tag .. 'ending', tag .. 'sweep'

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

local interrupted, ended, rescheduled = 0, 0, 0

-- Silence counts from the last beat, or from the end of our own outage if later.
local function silentSince(lastHeartbeatAt)
  return math.max(tonumber(lastHeartbeatAt), resumed)
end

local claimed = redis.call('ZRANGEBYSCORE', due, '-inf', now, 'LIMIT', 0, limit)
for _, roomId in ipairs(claimed) do
  local room = tag .. 'room:' .. roomId
  local f = redis.call('HMGET', room, 's', 'hb', 'to', 'su')
  if f[1] ~= 'live' then
    redis.call('ZREM', due, roomId) -- ended, expired, or already interrupted
  else
    local since = silentSince(f[2])
    local suspectAt, endAt = since + tonumber(f[4]), since + tonumber(f[3])
    if now < suspectAt then
      redis.call('ZADD', due, suspectAt, roomId)
      rescheduled = rescheduled + 1
    elseif now >= endAt and not hold then
      finish(room, due, outbox, tag, roomId, 'timeout', now, retentionMs, endAt)
      ended = ended + 1
    else
      redis.call('HSET', room, 's', 'interrupted')
      emit(outbox, room, roomId, 'live.interrupted', nil, now)
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
  local room = tag .. 'room:' .. roomId
  local f = redis.call('HMGET', room, 's', 'hb', 'to', 'pr')
  if f[1] ~= 'interrupted' then
    redis.call('ZREM', ending, roomId)
  elseif f[4] then
    -- A deadline shortened by an IM disconnect report is kept as set.
    finish(room, due, outbox, tag, roomId, f[4], now, retentionMs)
    ended = ended + 1
  else
    local endAt = silentSince(f[2]) + tonumber(f[3])
    if now < endAt then
      redis.call('ZADD', ending, endAt, roomId)
      rescheduled = rescheduled + 1
    else
      finish(room, due, outbox, tag, roomId, 'timeout', now, retentionMs, endAt)
      ended = ended + 1
    end
  end
end

return {interrupted, ended, math.max(#claimed, #claimedEnding), gap, rescheduled, transitions_reply()}
