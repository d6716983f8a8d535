-- The heartbeat rate limit of a room's anchor (GCRA): `ratePerSec` beats on average, `burst` at once.
-- One number is kept, the theoretical arrival time `tat` (µs) in the room record (room-record.lua).
-- Returns true and the tat to store when the beat may proceed (nil when the limit is off), or false and
-- the milliseconds until a beat is allowed. It only computes: a refused beat writes nothing.
local function take_beat(tat, ratePerSec, burst, now)
  if ratePerSec <= 0 then return true, nil end
  local interval, nowUs = 1000000 / ratePerSec, now * 1000
  local t = math.max(tat or nowUs, nowUs)
  local over = t - nowUs - (burst - 1) * interval
  if over > 0 then return false, math.ceil(over / 1000) end
  -- Rounded down to whole µs (the record keeps integers): at most 1 µs per beat in the anchor's favour.
  return true, math.floor(t + interval)
end
