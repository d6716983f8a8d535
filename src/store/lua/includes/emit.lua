-- Appends the next event of the live in record `rec` (room-record.lua) to the shard's outbox and counts
-- it in rec.q; the caller writes the record afterwards.
--
-- The event id is <liveId>:<seq>:<token><n>: `token` is the random token the caller drew for this script call
-- (use_event_token; src/store/event-token.ts) and `n` the event's place among the call's events (hex). The
-- id is written once, with the event, so a redelivery carries the same id; and since no two calls share a
-- token, no other event ever gets it: not the events written again after a failover lost some (the live's
-- seq then repeats), not those of a liveId used again after its retention.
--
-- `deadline` (timeout endings only) is when the live was due: receivers and metrics measure detection lag from it.
-- `previousLiveId` (live.started only) names the running live this one superseded: viewers are told of the change.
-- Every script that emits returns `transitions_reply()` as the second value of its reply, so the store can
-- report what it did by type and reason (LiveEventBus 'transitions').
local transitions = {}
local event_token, emitted = nil, 0

-- Called first thing by every script that may emit, before it writes anything (a script error keeps earlier writes).
local function use_event_token(token)
  if not token or token == '' then error('no event token: every call that may emit must bring one') end
  event_token = token
end

local function emit(outbox, rec, roomId, eventType, reason, now, deadline, previousLiveId)
  rec.q = (rec.q or 0) + 1
  emitted = emitted + 1
  local event = {
    id = rec.l .. ':' .. rec.q .. ':' .. event_token .. string.format('%x', emitted), type = eventType, seq = rec.q,
    roomId = roomId, liveId = rec.l, anchorId = rec.a, groupId = rec.g, reason = reason, at = now, deadline = deadline,
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
