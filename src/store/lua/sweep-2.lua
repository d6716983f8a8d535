-- Claims the lives of one shard whose deadline has passed and moves each one step:
-- live -> interrupted (suspect deadline) or -> ended (full timeout), interrupted -> ended.
-- The event goes to the outbox in this same script, so a transition is never without its event.
-- Cost: O(log N + due) through ZRANGEBYSCORE ... LIMIT, never a scan of what is tracked.
-- KEYS: shard deadline zset, shard outbox stream
-- ARGV: tag, limit, retentionMs
-- Returns {interrupted, ended, claimed, transitions} (transitions: see emit)
-- @include now
-- @include emit
-- @include finish
local due, outbox = KEYS[1], KEYS[2]
local tag, limit, retentionMs = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])

local now = now_ms()
local claimed = redis.call('ZRANGEBYSCORE', due, '-inf', now, 'LIMIT', 0, limit)
local interrupted, ended = 0, 0

for _, roomId in ipairs(claimed) do
  local room = tag .. 'room:' .. roomId
  local f = redis.call('HMGET', room, 'state', 'lastHeartbeatAt', 'timeoutMs', 'pendingReason')
  local state = f[1]
  if state == 'live' then
    local endAt = tonumber(f[2]) + tonumber(f[3])
    if now >= endAt then
      finish(room, due, outbox, tag, roomId, 'timeout', now, retentionMs, endAt)
      ended = ended + 1
    else
      redis.call('HSET', room, 'state', 'interrupted')
      count_interrupted(tag, 1)
      emit(outbox, room, roomId, 'live.interrupted', nil, now)
      redis.call('ZADD', due, endAt, roomId)
      interrupted = interrupted + 1
    end
  elseif state == 'interrupted' then
    local reason = f[4] or 'timeout'
    local deadline = nil
    if reason == 'timeout' then deadline = tonumber(f[2]) + tonumber(f[3]) end
    finish(room, due, outbox, tag, roomId, reason, now, retentionMs, deadline)
    ended = ended + 1
  else
    -- The record expired or ended elsewhere: nothing left to judge.
    redis.call('ZREM', due, roomId)
  end
end

return {interrupted, ended, #claimed, transitions_reply()}
