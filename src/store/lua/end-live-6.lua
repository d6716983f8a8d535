--[[
  Ends a room's live on request (the anchor's normal end, or an operator's). Idempotent. An anchor's end of
  a liveId the room has not seen yet (it overtook the live's first heartbeat) is remembered: the tombstone
  is written, so the late first beat gets 'gone' and the live never starts; nobody is told anything.

  Input:
    KEYS[1] rooms      shard HASH of room records
    KEYS[2] due        shard ZSET of running lives
    KEYS[3] ending     shard ZSET of interrupted lives
    KEYS[4] ended      shard ZSET of ended lives, by when their record expires
    KEYS[5] outbox     shard STREAM of events
    KEYS[6] gone       tombstone of the asked liveId: a live a newer one replaced in the record, or one ended before its
                       first beat (written then); read only when a liveId is given

    ARGV[1] tag          the shard's key prefix
    ARGV[2] roomId
    ARGV[3] liveId       '' = whatever runs
    ARGV[4] anchorId     '' = no check
    ARGV[5] reason       an end reason (REASONS)
    ARGV[6] retentionMs
    ARGV[7] eventToken   random token for this call's event ids (event-token.ts, emit.lua)

  Output:
    {'ended', transitions, reason, liveId}
    {'already', {}, reason, liveId}
    {'remembered', {}, reason, liveId}   an anchor's end of a liveId not seen yet
    {'conflict', {}}     the live belongs to another anchor
    {'unknown', {}}      no such live (an operator's end of whatever runs, and nothing runs)

  Events: live.ended.
]]
-- @include layout
-- @include now
-- @include room-record
-- @include emit
-- @include finish
local k = {rooms = KEYS[1], due = KEYS[2], ending = KEYS[3], ended = KEYS[4], outbox = KEYS[5], tag = ARGV[1]}
local goneKey = KEYS[6]
local roomId, liveId, anchorId, reason = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local retentionMs = tonumber(ARGV[6])
use_event_token(ARGV[7])
local askedLive = liveId ~= ''

local now = now_ms()
local rec = read_room(k.rooms, roomId)
-- An ended record past its retention is only waiting for the sweep to remove it.
if rec and rec.s == 'ended' and rec.en + retentionMs <= now then rec = nil end
if not askedLive then liveId = rec and rec.l end
if not rec or rec.l ~= liveId then
  local goneReason = askedLive and redis.call('GET', goneKey)
  if goneReason then return {'already', {}, goneReason, liveId} end
  if askedLive and anchorId ~= '' then
    redis.call('SET', goneKey, reason, 'PX', retentionMs)
    return {'remembered', {}, reason, liveId}
  end
  return {'unknown', {}}
end
if anchorId ~= '' and rec.a ~= anchorId then return {'conflict', {}} end
if rec.s == 'ended' then return {'already', {}, rec.r, liveId} end

finish(k, rec, roomId, reason, now, retentionMs)
return {'ended', transitions_reply(), reason, liveId}
