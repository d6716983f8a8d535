/**
 * Event ids are `<liveId>:<seq>:<token>` (src/store/lua/includes/emit.lua): the token is random per store call,
 * so tests recognise an event by its live and seq, and check the id's shape.
 */
const ID_SHAPE = /^(.+):(\d+):([0-9a-f]{13,})$/;

/** Whether `event` (a LiveEvent-like JSON body) is event number `seq` of `liveId`. */
export function isEvent(event: { liveId?: unknown; seq?: unknown } | undefined | null, liveId: string, seq: number): boolean {
  return event?.liveId === liveId && event?.seq === seq;
}

/** The live and seq an event id names, or null when the id does not have the event id's shape. */
export function parseEventId(id: string): { liveId: string; seq: number; token: string } | null {
  const match = ID_SHAPE.exec(id);
  return match ? { liveId: match[1], seq: Number(match[2]), token: match[3] } : null;
}

/** A Jest matcher for the id of event `seq` of `liveId`. */
export function eventIdOf(liveId: string, seq: number) {
  return expect.stringMatching(new RegExp(`^${liveId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${seq}:[0-9a-f]{13,}$`));
}
