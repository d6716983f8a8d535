--[[
  Many heartbeats of one shard in one call (the gateway route's beats, grouped by shard): each is taken exactly
  as heartbeat-7.lua takes it (includes/beat.lua), in the order given, at one server time. One call instead of
  one per beat spares Redis the script invocation and argument handling per beat.

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
    {'ok', {}, reply1, reply2, …}   one reply per beat, in order, each what heartbeat-7.lua returns for it
                                     ({outcome, transitions, value}).

  Events: as heartbeat-7.lua, per beat.
]]
-- @include layout
-- @include now
-- @include room-record
-- @include gcra
-- @include emit
-- @include finish
-- @include beat
local k = {rooms = KEYS[1], due = KEYS[2], ending = KEYS[3], ended = KEYS[4], outbox = KEYS[5], tag = ARGV[1]}
local retentionMs, ratePerSec, burst, indexAnchor = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5] == '1'
use_event_token(ARGV[6])
local now = now_ms()
local replies = {'ok', {}}
for i = 7, #ARGV, 6 do
  local roomId, liveId, anchorId = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  replies[#replies + 1] = beat(k, gone_key(k.tag, roomId, liveId), anchor_index_key(k.tag, anchorId), roomId, liveId, anchorId,
    ARGV[i + 3], tonumber(ARGV[i + 4]), tonumber(ARGV[i + 5]), retentionMs, ratePerSec, burst, indexAnchor, now)
  -- emit.lua counts what the script emitted; each beat's reply carries only its own.
  for key in pairs(transitions) do transitions[key] = nil end
end
return replies
