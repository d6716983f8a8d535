-- Makes sure the shard's outbox stream and every lane's consumer group on it exist; called at start and
-- whenever a read finds the group missing (Redis restarted empty, a failover to an empty replica, FLUSHALL).
-- All lanes are created in one go, so that no lane starts ahead of another:
-- * no configured lane has a group (first start, or the data is gone): every lane reads from the start ("0");
-- * some have: a missing one (a webhook URL added) starts where the slowest existing lane stands, so a new
--   destination is not sent the whole retained history.
-- KEYS[1] outbox: stream of the shard
-- ARGV[1..n] lanes: lane names (one consumer group each)
-- Returns the number of groups created.
-- @include stream-id
local stream = KEYS[1]
local existing, start = {}, nil
if redis.call('EXISTS', stream) == 1 then
  for _, info in ipairs(redis.call('XINFO', 'GROUPS', stream)) do
    local fields = {}
    for i = 1, #info, 2 do fields[info[i]] = info[i + 1] end
    existing[fields['name']] = fields['last-delivered-id']
  end
end
for _, lane in ipairs(ARGV) do
  local at = existing[lane]
  if at and (start == nil or id_before(at, start)) then start = at end
end
local created = 0
for _, lane in ipairs(ARGV) do
  if not existing[lane] then
    redis.call('XGROUP', 'CREATE', stream, lane, start or '0', 'MKSTREAM')
    created = created + 1
  end
end
return created
