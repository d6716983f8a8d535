-- Housekeeping of a shard's outbox, run now and then by any replica (idempotent):
-- * trims the stream by id (XTRIM MINID ~) to the retention, but never past an entry some lane has not
--   finished (its oldest pending entry) or not read yet (its last-delivered id): retention bounds the history
--   kept for backends to page through, never an undelivered event;
-- * removes consumers that hold nothing and were idle longer than staleMs (replicas that stopped), and this
--   replica's own consumer when `leaving` (shutdown): a consumer still holding entries is kept, as deleting
--   it would drop them from the group.
-- KEYS[1] outbox: stream of the shard
-- ARGV[1] cutoff: stream id; entries before it are past retention ('' to skip trimming)
-- ARGV[2] staleMs
-- ARGV[3] consumer: this replica's consumer name
-- ARGV[4] leaving: '1' to remove this replica's own consumers now
-- ARGV[5..] lanes: lane names (only their groups count; a group of a lane no longer configured does not hold history)
-- Returns {trimmed entries, consumers removed}.
-- @include stream-id
local stream, cutoff, staleMs, own, leaving = KEYS[1], ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4] == '1'
if redis.call('EXISTS', stream) == 0 then return {0, 0} end
local groups = {}
for _, info in ipairs(redis.call('XINFO', 'GROUPS', stream)) do
  local fields = {}
  for i = 1, #info, 2 do fields[info[i]] = info[i + 1] end
  groups[fields['name']] = fields
end
local keep, removed = cutoff, 0
for i = 5, #ARGV do
  local group = groups[ARGV[i]]
  if group then
    if cutoff ~= '' then
      local pending = redis.call('XPENDING', stream, ARGV[i])
      if pending[2] and id_before(pending[2], keep) then keep = pending[2] end
      if id_before(group['last-delivered-id'], keep) then keep = group['last-delivered-id'] end
    end
    for _, c in ipairs(redis.call('XINFO', 'CONSUMERS', stream, ARGV[i])) do
      local f = {}
      for j = 1, #c, 2 do f[c[j]] = c[j + 1] end
      if f['pending'] == 0 and ((leaving and f['name'] == own) or (f['name'] ~= own and f['idle'] > staleMs)) then
        redis.call('XGROUP', 'DELCONSUMER', stream, ARGV[i], f['name'])
        removed = removed + 1
      end
    end
  elseif cutoff ~= '' then
    keep = '0-0'
  end
end
local trimmed = 0
if cutoff ~= '' and keep ~= '0-0' then trimmed = redis.call('XTRIM', stream, 'MINID', '~', keep) end
return {trimmed, removed}
