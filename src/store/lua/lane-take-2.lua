-- Takes entries for one lane (a consumer group) from a shard's outbox stream: new ones (XREADGROUP '>') or,
-- in reclaim mode, entries other consumers left pending longer than minIdleMs (XAUTOCLAIM). In an ordered
-- lane each entry passes the live's gate (includes/lane-gate.lua); an entry behind an unfinished older event
-- of its live stays pending, parked, and is not returned.
-- KEYS[1] outbox: stream of the shard
-- KEYS[2] gate: the lane's gate hash for this shard (ordered lanes only; still passed otherwise)
-- ARGV[1] lane: consumer group name
-- ARGV[2] consumer: this replica
-- ARGV[3] count: most entries to read
-- ARGV[4] ordered: '1' for a lane that keeps each live's events in seq order
-- ARGV[5] mode: 'new' or 'reclaim'
-- ARGV[6] minIdleMs: reclaim mode
-- ARGV[7] cursor: reclaim mode; '0-0' to start
-- Returns {cursor, id1, event1, id2, event2, ...}: the entries to deliver now, `event` being the entry's
-- `event` field (JSON); cursor is XAUTOCLAIM's next cursor ('0-0' in new mode or when the scan is done).
-- Errors with NOGROUP when the stream or group is missing (the caller recreates them, lane-groups-1.lua).
-- @include lane-gate
local stream, gate = KEYS[1], KEYS[2]
local lane, consumer, count, ordered, mode = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4] == '1', ARGV[5]

local cursor, entries = '0-0', {}
if mode == 'reclaim' then
  local reply = redis.call('XAUTOCLAIM', stream, lane, consumer, tonumber(ARGV[6]), ARGV[7], 'COUNT', count)
  cursor, entries = reply[1], reply[2]
else
  -- A missing stream would be created by nobody: fail like a missing group, so the caller recreates both.
  if redis.call('EXISTS', stream) == 0 then return redis.error_reply('NOGROUP no outbox stream') end
  local reply = redis.call('XREADGROUP', 'GROUP', lane, consumer, 'COUNT', count, 'STREAMS', stream, '>')
  if reply then entries = reply[1][2] end
end

local out = {cursor}
for _, entry in ipairs(entries) do
  local id, fields = entry[1], entry[2]
  local event
  if fields then
    for i = 1, #fields, 2 do
      if fields[i] == 'event' then event = fields[i + 1] end
    end
  end
  if event then
    local deliver = true
    if ordered then deliver = lane_admit(stream, lane, gate, id, cjson.decode(event).liveId) end
    if deliver then
      out[#out + 1] = id
      out[#out + 1] = event
    end
  elseif fields == nil or fields == false then
    -- Trimmed while pending: nothing left to deliver.
    redis.call('XACK', stream, lane, id)
  end
end
return out
