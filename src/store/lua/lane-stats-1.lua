-- Where each lane stands on one shard's outbox, for metrics and the status page: O(lanes) commands.
-- KEYS[1] outbox: stream of the shard
-- ARGV[1..n] lanes: lane names
-- Returns, per lane in ARGV order, {pending, unread, oldestId}: entries read and not finished (in delivery,
-- retrying, or parked behind an older event of their live), entries not read yet (-1 when Redis cannot say,
-- e.g. the group is missing), and the id of the oldest entry not finished ('' when none).
-- @include stream-id
local stream = KEYS[1]
local exists = redis.call('EXISTS', stream) == 1
local out = {}
for _, lane in ipairs(ARGV) do
  local group = exists and lane_group(stream, lane) or nil
  if not group then
    out[#out + 1] = {0, -1, ''}
  else
    local pending = redis.call('XPENDING', stream, lane)
    local oldest = pending[2] or ''
    local unread = redis.call('XRANGE', stream, '(' .. group['last-delivered-id'], '+', 'COUNT', 1)
    if #unread > 0 and (oldest == '' or id_before(unread[1][1], oldest)) then oldest = unread[1][1] end
    local lag = group['lag']
    if type(lag) ~= 'number' then lag = -1 end
    out[#out + 1] = {pending[1], lag, oldest}
  end
end
return out
