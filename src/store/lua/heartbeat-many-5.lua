--[[
  Many heartbeats of one shard in one call (the gateway route's beats, grouped by shard): each is taken exactly
  as heartbeat-7.lua takes it (includes/steady-beat.lua, beat.lua), in the order given, at one server time. One
  call instead of one per beat spares Redis the script invocation and argument handling per beat, and the batch's
  records are read in one HMGET and its steady beats written in one HSET and one ZADD.

  Input:
    KEYS[1] rooms      shard HASH of room records (room-record.lua)
    KEYS[2] due        shard ZSET of running lives, by when they must next be judged
    KEYS[3] ending     shard ZSET of interrupted lives, by when they end
    KEYS[4] ended      shard ZSET of ended lives, by when their record expires
    KEYS[5] outbox     shard STREAM of events

    ARGV[1] tag          the shard's key prefix (each beat's tombstone and anchor index bucket are derived from it)
    ARGV[2] retentionMs  how long an ended live is remembered
    ARGV[3] ratePerSec   heartbeat rate limit of each anchor (0 = off)
    ARGV[4] burst
    ARGV[5] indexAnchor  1 = record anchorId -> roomId when a live starts (for IM callbacks)
    ARGV[6] eventToken   random token of this call, part of every event id it writes (includes/emit.lua)
    ARGV[7..] beats      six values per beat: roomId, liveId, anchorId, groupId, timeoutMs, suspectMs

  Output:
    {'ok', {}, reply1, reply2, …}   one reply per beat, in order, each what heartbeat-7.lua returns for it.

  Events: as heartbeat-7.lua, per beat.
]]
-- @include layout
-- @include now
-- @include room-record
-- @include gcra
-- @include steady-beat
-- @include emit
-- @include finish
-- @include beat
local k = {rooms = KEYS[1], due = KEYS[2], ending = KEYS[3], ended = KEYS[4], outbox = KEYS[5], tag = ARGV[1]}
local retentionMs, ratePerSec, burst, indexAnchor = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5] == '1'
use_event_token(ARGV[6])
local now = now_ms()

local rooms = {}
for i = 7, #ARGV, 6 do rooms[#rooms + 1] = ARGV[i] end
local records = redis.call('HMGET', k.rooms, unpack(rooms))

-- Steady beats (nearly all of them) are written together, one HSET and one ZADD per batch: each redis.call costs
-- about as much as the beat's own work. Written before any other beat is taken, so beats stay in order.
local records_out, due_out, seen = {}, {}, {}
local function write_steady()
  if #records_out == 0 then return end
  redis.call('HSET', k.rooms, unpack(records_out))
  redis.call('ZADD', k.due, unpack(due_out))
  records_out, due_out = {}, {}
end

local replies = {'ok', {}}
for i = 7, #ARGV, 6 do
  local n = (i - 1) / 6
  local roomId, liveId, anchorId, timeoutMs, suspectMs = ARGV[i], ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[i + 4]), tonumber(ARGV[i + 5])
  local reply, record
  -- The record as read at the batch's start (false: none); a room met earlier in the batch has changed since, so
  -- nil: the full path reads it again.
  local packed = records[n]
  if seen[roomId] then packed = nil end
  if packed then
    reply, record = steady_beat(packed, liveId, anchorId, timeoutMs, suspectMs, ratePerSec, burst, now)
  end
  if record then
    records_out[#records_out + 1], records_out[#records_out + 2] = roomId, record
    due_out[#due_out + 1], due_out[#due_out + 2] = now + suspectMs, roomId
  elseif not reply then
    write_steady()
    reply = beat(k, gone_key(k.tag, roomId, liveId), anchor_index_key(k.tag, anchorId), roomId, liveId, anchorId,
      ARGV[i + 3], timeoutMs, suspectMs, retentionMs, ratePerSec, burst, indexAnchor, now, packed)
    -- emit.lua counts what the script emitted; each beat's reply carries only its own.
    for key in pairs(transitions) do transitions[key] = nil end
  end
  seen[roomId] = true
  replies[#replies + 1] = reply
end
write_steady()
return replies
