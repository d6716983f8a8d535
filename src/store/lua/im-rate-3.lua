-- Shared rate limit of the IM REST API (GCRA): grants up to `wanted` calls at once and says how
-- long to wait when none is free. One key for the whole app, so all replicas together keep the rate.
-- Endings go first across replicas, not only within one: a replica that has endings waiting and
-- could not get calls for all of them marks `<key>:ended-waiting` for holdMs; while that mark
-- stands, calls are granted only for endings (every replica's pump renews it while it waits).
-- KEYS: the limiter's key (its own hash tag; the mark shares it)
-- ARGV: intervalUs (1e6 / rate), burst (calls that may go at once), wanted, wantedEnded (endings among wanted), holdMs
-- Returns {granted, waitMs}
local key = KEYS[1]
local interval, burst, wanted = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local wantedEnded, holdMs = tonumber(ARGV[4]), tonumber(ARGV[5])
local mark = key .. ':ended-waiting'

-- Someone's endings are waiting: only endings may have calls now.
if redis.call('EXISTS', mark) == 1 then wanted = wantedEnded end
if wanted <= 0 then return {0, holdMs} end

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
-- Theoretical arrival time: when the next call would be due if calls went exactly at the rate.
local tat = math.max(tonumber(redis.call('GET', key) or '0'), now)
local free = math.floor((now + burst * interval - tat) / interval)
local granted = math.max(0, math.min(wanted, free))

if granted < wantedEnded then redis.call('SET', mark, '1', 'PX', holdMs) end
if granted == 0 then
  return {0, math.ceil((tat + interval - burst * interval - now) / 1000)}
end
tat = tat + granted * interval
redis.call('SET', key, string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000) + 1000)
return {granted, 0}
