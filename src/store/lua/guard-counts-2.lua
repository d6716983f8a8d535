--[[
  What the mass-timeout guard needs to know about one shard, in one round trip: running lives,
  interrupted lives, and interrupted lives that end within `withinMs` unless they beat again (a forecast,
  so the guard engages before the first of a mass of endings). Reads only.

  Input:
    KEYS[1] due        shard ZSET of running lives
    KEYS[2] ending     shard ZSET of interrupted lives, by end deadline

    ARGV[1] withinMs

  Output:
    {running, interrupted, dueToEnd}
]]
-- @include now
local running = redis.call('ZCARD', KEYS[1])
local interrupted = redis.call('ZCARD', KEYS[2])
local dueToEnd = redis.call('ZCOUNT', KEYS[2], '-inf', now_ms() + tonumber(ARGV[1]))
return {running, interrupted, dueToEnd}
