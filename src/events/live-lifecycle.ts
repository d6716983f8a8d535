/**
 * The words of a live's lifecycle, declared once: the store's scripts (through the generated Lua layout,
 * src/store/lua-layout.ts), the room record's codes, the API's enums and the events all take them from here.
 * The order of each list is part of the stored data: a code is the 1-based index in its list, so append only.
 */
export const LIVE_STATES = ['live', 'interrupted', 'ended'] as const;
export type LiveState = (typeof LIVE_STATES)[number];

/**
 * How a live ended: `normal` (the anchor said so), `timeout` (heartbeats lost), `disconnect` (IM saw the
 * anchor's client go and it did not come back in the grace), `admin` (forced by an operator),
 * `superseded` (the room started a new live first; viewers are not told).
 */
export const END_REASONS = ['normal', 'timeout', 'disconnect', 'admin', 'superseded'] as const;
export type EndReason = (typeof END_REASONS)[number];

export const LIVE_EVENT_TYPES = ['live.started', 'live.interrupted', 'live.resumed', 'live.ended'] as const;
export type LiveEventType = (typeof LIVE_EVENT_TYPES)[number];

/** A transition kind without its `live.` prefix, as metrics label it. */
export type TransitionType = LiveEventType extends `live.${infer T}` ? T : never;

/** What one store call did: events of one type (and end reason) it emitted, and how many. */
export interface TransitionCount {
  type: TransitionType;
  reason: EndReason | null;
  count: number;
}
