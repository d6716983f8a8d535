-- Finishes one entry in one lane: acknowledges it (delivered, or given up: then its dead letter is written in
-- the same script, so an entry is never acknowledged without one), and in an ordered lane hands over the
-- live's next parked event, claimed for this consumer, so the caller delivers it next.
-- KEYS[1] outbox: stream of the shard
-- KEYS[2] gate: the lane's gate hash for this shard
-- KEYS[3] dead: dead-letter stream of the shard
-- ARGV[1] lane: consumer group name
-- ARGV[2] consumer: this replica
-- ARGV[3] entryId
-- ARGV[4] liveId: or '' in a lane without per-live order
-- ARGV[5] deadMaxLen: dead-letter MAXLEN (approximate)
-- ARGV[6..] deadLetter: field/value pairs (none when delivered)
-- Returns {} or {nextId, nextEvent}.
-- @include lane-gate
local stream, gate, dead = KEYS[1], KEYS[2], KEYS[3]
local lane, consumer, id, liveId = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if #ARGV > 5 then
  local fields = {}
  for i = 6, #ARGV do fields[#fields + 1] = ARGV[i] end
  redis.call('XADD', dead, 'MAXLEN', '~', tonumber(ARGV[5]), '*', unpack(fields))
end
redis.call('XACK', stream, lane, id)
if liveId == '' then return {} end
local nextEntry = lane_finish(stream, lane, gate, consumer, id, liveId)
if not nextEntry then return {} end
for i = 1, #nextEntry[2], 2 do
  if nextEntry[2][i] == 'event' then return {nextEntry[1], nextEntry[2][i + 1]} end
end
return {}
