-- Appends the next event of the live in record `rec` (room-record.lua) to the shard's outbox and counts
-- it in rec.q; the caller writes the record afterwards. The event id is <liveId>:<seq>, so a redelivery
-- of the same event is recognisably the same.
-- `deadline` (timeout endings only) is when the live was due: receivers and metrics measure detection lag from it.
-- `previousLiveId` (live.started only) names the running live this one superseded: viewers are told of the change.
-- Every script that emits returns `transitions_reply()` as the second value of its reply, so the store can
-- report what it did by type and reason (LiveEventBus 'transitions').
local transitions = {}
local function emit(outbox, rec, roomId, eventType, reason, now, deadline, previousLiveId)
  rec.q = (rec.q or 0) + 1
  local event = {
    id = rec.l .. ':' .. rec.q, type = eventType, seq = rec.q, roomId = roomId,
    liveId = rec.l, anchorId = rec.a, groupId = rec.g, reason = reason, at = now, deadline = deadline,
    previousLiveId = previousLiveId,
  }
  redis.call('XADD', outbox, '*', 'event', cjson.encode(event))
  local key = eventType .. ':' .. (reason or '')
  transitions[key] = (transitions[key] or 0) + 1
end

-- {"<type>:<reason>", count, ...}: what this script emitted.
local function transitions_reply()
  local flat = {}
  for key, count in pairs(transitions) do
    flat[#flat + 1] = key
    flat[#flat + 1] = count
  end
  return flat
end
