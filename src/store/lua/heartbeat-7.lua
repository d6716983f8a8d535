--[[
  A heartbeat: starts a live, extends it, resumes it, or supersedes the room's previous live. The room's
  anchor is rate limited (GCRA, in the room record) inside this same round trip.

  Input:
    KEYS[1] rooms      shard HASH of room records (room-record.lua)
    KEYS[2] due        shard ZSET of running lives, by when they must next be judged
    KEYS[3] ending     shard ZSET of interrupted lives, by when they end
    KEYS[4] ended      shard ZSET of ended lives, by when their record expires
    KEYS[5] outbox     shard STREAM of events
    KEYS[6] gone       tombstone of this liveId (gone:<roomId>:<liveId>)
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
    {'ok', transitions, deadline}       transitions: see emit.lua; deadline: when the live ends if silent (ms)
    {'gone', {}, reason}                this liveId already ended
    {'conflict', {}, anchorId}          the live belongs to another anchor
    {'limited', {}, retryAfterMs}

  Events: live.started (with previousLiveId when it superseded a running live); live.resumed; live.ended
  (superseded) of the room's previous live.
]]
-- @include layout
-- @include now
-- @include room-record
-- @include gcra
-- @include emit
-- @include finish
local k = {rooms = KEYS[1], due = KEYS[2], ending = KEYS[3], ended = KEYS[4], outbox = KEYS[5], tag = ARGV[1]}
local goneKey, anchors = KEYS[6], KEYS[7]
local roomId, liveId, anchorId, groupId = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local timeoutMs, suspectMs, retentionMs = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local ratePerSec, burst, indexAnchor = tonumber(ARGV[9]), tonumber(ARGV[10]), ARGV[11] == '1'
use_event_token(ARGV[12])

local now = now_ms()
local packed = redis.call('HGET', k.rooms, roomId)

-- Steady beat: the room's running live beats again, nothing pending. This is what nearly every call is (every
-- anchor, every few seconds), so it reads and rewrites the packed record directly (room-record.lua's order)
-- and answers as the full path below would. The tombstone is not read: a liveId's tombstone is written when
-- that live ends (finish.lua, in the same script that marks the record ended), so a record still running
-- this liveId means there is none.
if packed then
  local l, a, flags, hb, st, to, su, q, tat, at, g = cmsgpack.unpack(packed)
  if l == liveId and flags == STATE_CODES.live then
    local allowed, nextTat = take_beat(tat and hb * 1000 + tat, ratePerSec, burst, now)
    if not allowed then return {'limited', {}, nextTat} end
    if a ~= anchorId then return {'conflict', {}, a} end
    -- Times are kept relative to lastHeartbeatAt, which becomes now; trailing nils are left off.
    local tatOffset = nextTat and math.floor(nextTat - now * 1000)
    if g then
      packed = cmsgpack.pack(l, a, flags, now, st + now - hb, timeoutMs, suspectMs, q, tatOffset, nil, g)
    elseif tatOffset then
      packed = cmsgpack.pack(l, a, flags, now, st + now - hb, timeoutMs, suspectMs, q, tatOffset)
    else
      packed = cmsgpack.pack(l, a, flags, now, st + now - hb, timeoutMs, suspectMs, q)
    end
    redis.call('HSET', k.rooms, roomId, packed)
    redis.call('ZADD', k.due, now + suspectMs, roomId)
    return {'ok', {}, now + timeoutMs}
  end
end

local goneReason = redis.call('GET', goneKey)
if goneReason then return {'gone', {}, goneReason} end

local rec = packed and decode_room(packed, roomId)
local allowed, tat = take_beat(rec and rec.tat, ratePerSec, burst, now)
if not allowed then return {'limited', {}, tat} end

-- An ended live whose tombstone is gone is past its retention (the sweep has yet to remove it): a new live.
if rec and rec.l == liveId and rec.s ~= 'ended' then
  if rec.a ~= anchorId then return {'conflict', {}, rec.a} end
  rec.hb, rec.to, rec.su = now, timeoutMs, suspectMs
  if rec.s == 'interrupted' then
    rec.s, rec.pr, rec.da, rec.df = 'live', nil, nil, nil
    redis.call('ZREM', k.ending, roomId)
    emit(k.outbox, rec, roomId, 'live.resumed', nil, now)
  end
else
  local previousLiveId = nil
  if rec then
    if rec.s ~= 'ended' then
      previousLiveId = rec.l
      finish(k, rec, roomId, 'superseded', now, retentionMs)
    end
    -- The record is replaced, so it no longer waits to expire.
    redis.call('ZREM', k.ended, roomId)
  end
  rec = {l = liveId, a = anchorId, g = groupId, s = 'live', st = now, hb = now, to = timeoutMs, su = suspectMs, q = 0}
  if indexAnchor then redis.call('HSET', anchors, anchorId, roomId) end
  emit(k.outbox, rec, roomId, 'live.started', nil, now, nil, previousLiveId)
end

-- Kept across a new live of the room, like the anchor's rate.
rec.tat = tat
write_room(k.rooms, roomId, rec)
redis.call('ZADD', k.due, now + suspectMs, roomId)
return {'ok', transitions_reply(), now + timeoutMs}
