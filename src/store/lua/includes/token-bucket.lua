-- A token bucket kept in two fields of `hash` (rt = tokens, ra = when counted): it lets `ratePerSec` calls through on
-- average and `burst` at once. take_token only reads; the caller stores the bucket when it proceeds, so
-- a refused call writes nothing.
-- Returns the tokens left after taking one, or nil and the milliseconds until one is available.
local function take_token(hash, ratePerSec, burst, now)
  if ratePerSec <= 0 then return burst, 0 end
  local f = redis.call('HMGET', hash, 'rt', 'ra')
  local tokens = tonumber(f[1]) or burst
  local elapsed = math.max(0, now - (tonumber(f[2]) or now))
  tokens = math.min(burst, tokens + elapsed * ratePerSec / 1000)
  if tokens < 1 then return nil, math.ceil((1 - tokens) * 1000 / ratePerSec) end
  return tokens - 1, 0
end

local function store_bucket(hash, ratePerSec, tokens, now)
  if ratePerSec > 0 then redis.call('HSET', hash, 'rt', string.format('%.6f', tokens), 'ra', now) end
end
