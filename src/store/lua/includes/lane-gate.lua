-- The per-live order of an ordered lane (each webhook URL). The gate hash holds, per liveId, the ids of the
-- live's events this lane has read and not finished, oldest first, space-separated. Only the first (the
-- head) is delivered; the others stay pending in the group, parked, until lane_finish hands the next one
-- to whoever finished the head. A head no longer pending in the group (the group was recreated, or the
-- entry trimmed) is dropped, so nothing parks for ever: the next one is delivered when it is reclaimed.

-- Records entry `id` of live `liveId` as read; returns true when it may be delivered now.
local function lane_admit(stream, group, gate, id, liveId)
  local tokens = {}
  local queued = redis.call('HGET', gate, liveId)
  if queued then
    for token in string.gmatch(queued, '%S+') do tokens[#tokens + 1] = token end
  end
  while #tokens > 0 and tokens[1] ~= id and #redis.call('XPENDING', stream, group, tokens[1], tokens[1], 1) == 0 do
    table.remove(tokens, 1)
  end
  local known = false
  for _, token in ipairs(tokens) do
    if token == id then known = true end
  end
  if not known then tokens[#tokens + 1] = id end
  redis.call('HSET', gate, liveId, table.concat(tokens, ' '))
  return tokens[1] == id
end

-- Removes finished entry `id` of live `liveId` and claims the live's next parked entry for `consumer`.
-- Returns {id, fields} of that entry, or nil when the live has nothing more in this lane.
local function lane_finish(stream, group, gate, consumer, id, liveId)
  local queued = redis.call('HGET', gate, liveId)
  if not queued then return nil end
  local rest = {}
  for token in string.gmatch(queued, '%S+') do
    if token ~= id then rest[#rest + 1] = token end
  end
  while #rest > 0 do
    local claimed = redis.call('XCLAIM', stream, group, consumer, 0, rest[1])
    if #claimed > 0 and claimed[1][2] then
      redis.call('HSET', gate, liveId, table.concat(rest, ' '))
      return claimed[1]
    end
    table.remove(rest, 1)
  end
  redis.call('HDEL', gate, liveId)
  return nil
end
