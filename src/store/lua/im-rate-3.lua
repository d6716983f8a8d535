-- Shared rate limit of the IM REST API: grants up to `wanted` calls at once and says how long to wait
-- when none is free. One set of keys for the whole app, so all replicas together keep the rate.
--
-- Two checks, both must pass:
-- * a sliding window of the calls granted in the last `windowUs` (a sorted set, one entry per call): never
--   more than `limit`. The window is longer than IM's one second by the time a replica may take to put a
--   granted call on the wire (it gives back grants older than that, unsent), so no one-second window of
--   calls leaving the replicas holds more than `limit`, whatever stalls they had; the time a stall cost
--   is made up afterwards, since the window then has room;
-- * pacing (GCRA at the full rate, `burst` calls at once): spreads the calls out instead of sending a
--   window's worth at once.
--
-- Endings go first across replicas, not only within one: a replica that has endings waiting and
-- could not get calls for all of them sets `mark` for holdMs; while that mark stands, calls are granted
-- only for endings (every replica's pump renews it while it waits).
--
-- Input (one hash tag):
--   KEYS[1] pace       STRING: GCRA theoretical arrival time (µs)
--   KEYS[2] sent       ZSET: the window of granted calls
--   KEYS[3] mark       STRING: set while some replica's endings wait
--
--   ARGV[1] intervalUs   1e6 / rate
--   ARGV[2] burst
--   ARGV[3] limit        calls per window
--   ARGV[4] windowUs
--   ARGV[5] wanted
--   ARGV[6] wantedEnded  endings among wanted
--   ARGV[7] holdMs
--
-- Output:
--   {granted, waitMs, member of each granted call...} (a member is what to ZREM from `sent` to give the call back)
local pace, sent, mark = KEYS[1], KEYS[2], KEYS[3]
local interval, burst, limit, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local wanted, wantedEnded, holdMs = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])

-- Someone's endings are waiting: only endings may have calls now.
if redis.call('EXISTS', mark) == 1 then wanted = wantedEnded end
if wanted <= 0 then return {0, holdMs} end

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])

-- Theoretical arrival time: when the next call would be due if calls went exactly at the rate.
local tat = math.max(tonumber(redis.call('GET', pace) or '0'), now)
local paced = math.floor((now + burst * interval - tat) / interval)

redis.call('ZREMRANGEBYSCORE', sent, '-inf', now - window)
local inWindow = redis.call('ZCARD', sent)
local room = limit - inWindow

local granted = math.max(0, math.min(wanted, paced, room))
if granted < wantedEnded then redis.call('SET', mark, '1', 'PX', holdMs) end

if granted == 0 then
  local waitUs = 0
  if paced <= 0 then waitUs = tat + interval - burst * interval - now end
  if room <= 0 then
    -- The window frees a call when its oldest surplus entry leaves it.
    local oldest = redis.call('ZRANGE', sent, inWindow - limit, inWindow - limit, 'WITHSCORES')
    waitUs = math.max(waitUs, tonumber(oldest[2]) + window - now)
  end
  return {0, math.max(1, math.ceil(waitUs / 1000))}
end

-- Members are the calls' pacing times: strictly increasing, so every call has its own entry.
local entries, reply = {}, {granted, 0}
for i = 1, granted do
  local member = string.format('%.0f', tat + i * interval)
  entries[#entries + 1] = now
  entries[#entries + 1] = member
  reply[#reply + 1] = member
end
redis.call('ZADD', sent, unpack(entries))
redis.call('PEXPIRE', sent, math.ceil(window / 1000) + 1000)
tat = tat + granted * interval
redis.call('SET', pace, string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000) + 1000)
return reply
