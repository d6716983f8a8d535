-- Shared rate limit of the IM REST API: hands out send times ("slots") for up to `wanted` calls, so that all
-- replicas together stay under the rate in every one-second window at IM, whatever the replica→Redis latency.
--
-- Each granted call gets a slot: a time (Redis clock, µs) at which the replica sends it. A replica sends at its
-- slot and no later than lateUs after it, or gives the slot back unsent (ZREM) and asks again; so a call leaves
-- within [slot, slot + lateUs]. Slots are given out
-- * paced: one every `interval` (the full rate), never two at once;
-- * windowed: never more than `limit` slots in any `windowUs` (1 s + lateUs): then no one-second window of
--   calls leaving the replicas holds more than `limit`;
-- * ahead of time: no earlier than now + minAheadUs (the answer must reach the replica first: half a round trip
--   and some), and no later than now + horizonUs (how far ahead a replica books: about two round trips). Booking
--   ahead is what makes the rate independent of the round trip: the next answer arrives while booked calls go.
--
-- Endings go first across replicas, not only within one: a replica that has endings waiting and could not get
-- slots for all of them sets `mark` for holdMs; while that mark stands, slots are given only for endings.
--
-- KEYS[1] pace: the next free slot (µs, string)
-- KEYS[2] sent: sorted set of booked slots, member and score both the slot (µs)
-- KEYS[3] mark: endings waiting
-- ARGV[1] intervalUs: 1e6 / rate
-- ARGV[2] limit: most slots in any windowUs
-- ARGV[3] windowUs
-- ARGV[4] wanted: slots asked for
-- ARGV[5] wantedEnded: how many of them are for endings
-- ARGV[6] holdMs: how long the mark holds unless renewed
-- ARGV[7] minAheadUs
-- ARGV[8] horizonUs
-- Returns {granted, waitMs, nowUs, slot...}: waitMs says when to ask again when none was granted; nowUs is the
-- Redis time the slots are measured against (the replica maps them onto its own clock).
local pace, sent, mark = KEYS[1], KEYS[2], KEYS[3]
local interval, limit, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local wanted, wantedEnded, holdMs = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local minAhead, horizon = tonumber(ARGV[7]), tonumber(ARGV[8])

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])

-- Someone's endings are waiting: only endings may have slots now.
if redis.call('EXISTS', mark) == 1 then wanted = wantedEnded end
if wanted <= 0 then return {0, holdMs, string.format('%.0f', now)} end

redis.call('ZREMRANGEBYSCORE', sent, '-inf', now - 2 * window)
local slot = math.max(tonumber(redis.call('GET', pace) or '0'), now + minAhead)
local reply = {0, 0, string.format('%.0f', now)}
local granted = 0
while granted < wanted do
  -- The window: if `limit` slots already lie within windowUs before this one, move it to when the oldest of
  -- them leaves the window.
  local inWindow = redis.call('ZCOUNT', sent, '(' .. string.format('%.0f', slot - window), '+inf')
  if inWindow >= limit then
    local oldest = redis.call('ZRANGEBYSCORE', sent, '(' .. string.format('%.0f', slot - window), '+inf', 'WITHSCORES', 'LIMIT', inWindow - limit, 1)
    slot = math.max(slot, tonumber(oldest[2]) + window)
  end
  if slot > now + horizon then break end
  local member = string.format('%.0f', slot)
  redis.call('ZADD', sent, slot, member)
  reply[#reply + 1] = member
  granted = granted + 1
  slot = slot + interval
end
if granted < wantedEnded then redis.call('SET', mark, '1', 'PX', holdMs) end
reply[1] = granted
if granted == 0 then reply[2] = math.max(1, math.ceil((slot - now - horizon) / 1000)) end
if granted > 0 then
  redis.call('SET', pace, string.format('%.0f', slot), 'PX', math.ceil((slot - now) / 1000) + 1000)
  redis.call('PEXPIRE', sent, math.ceil(2 * window / 1000) + 1000)
end
return reply
