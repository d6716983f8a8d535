--[[
  A heartbeat: starts a live, extends it, resumes it, or supersedes the room's previous live. The room's
  anchor is rate limited (GCRA, in the room record) inside this same round trip.

  Input:
    KEYS[1] rooms      shard HASH of room records (room-record.lua)
    KEYS[2] due        shard ZSET of running lives, by when they must next be judged
    KEYS[3] ending     shard ZSET of interrupted lives, by when they end
    KEYS[4] ended      shard ZSET of ended lives, by when their record expires
    KEYS[5] outbox     shard STREAM of events
    KEYS[6] gone       tombstone of this liveId (gone:<roomId>:<liveId>), once a newer live replaced it in the record
    KEYS[7] anchors    anchor index bucket of this anchorId (written only when indexAnchor is 1)

    ARGV[1] tag          the shard's key prefix (keys of a superseded live are derived from it)
    ARGV[2] roomId
    ARGV[3] liveId
    ARGV[4] anchorId
    ARGV[5] groupId
    ARGV[6] timeoutMs
    ARGV[7] suspectMs
    ARGV[8] retentionMs  how long an ended live is remembered
    ARGV[9] ratePerSec   heartbeat rate limit of the anchor (0 = off)
    ARGV[10] burst
    ARGV[11] indexAnchor 1 = record anchorId -> roomId when a live starts (for IM callbacks)
    ARGV[12] eventToken   random token for this call's event ids (event-token.ts, emit.lua)

  Output:
    deadline                            a steady beat (it only extended a running live): when the live ends if silent (ms)
    {'ok', transitions, deadline}       transitions: see emit.lua
    {'gone', {}, reason}                this liveId already ended
    {'conflict', {}, anchorId}          the live belongs to another anchor
    {'limited', {}, retryAfterMs}

  Events: live.started (with previousLiveId when it superseded a running live); live.resumed; live.ended
  (superseded) of the room's previous live.
]]
-- @include layout
-- @include now
-- @include gcra
-- @include steady-beat
local now, timeoutMs, suspectMs, ratePerSec, burst = now_ms(), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[9]), tonumber(ARGV[10])
local packed = redis.call('HGET', KEYS[1], ARGV[2])
if packed then
  local reply, record = steady_beat(packed, ARGV[3], ARGV[4], timeoutMs, suspectMs, ratePerSec, burst, now)
  if record then
    redis.call('HSET', KEYS[1], ARGV[2], record)
    redis.call('ZADD', KEYS[2], now + suspectMs, ARGV[2])
  end
  if reply then return reply end
end

-- Not a steady beat: only now are the full path's pieces set up.
-- @include room-record
-- @include emit
-- @include finish
-- @include beat
local k = {rooms = KEYS[1], due = KEYS[2], ending = KEYS[3], ended = KEYS[4], outbox = KEYS[5], tag = ARGV[1]}
use_event_token(ARGV[12])
return beat(k, KEYS[6], KEYS[7], ARGV[2], ARGV[3], ARGV[4], ARGV[5], timeoutMs, suspectMs, tonumber(ARGV[8]), ratePerSec, burst,
  ARGV[11] == '1', now, packed)
