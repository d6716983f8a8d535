import type { EndReason, LiveEventType } from './live-lifecycle';

export type { LiveEventType } from './live-lifecycle';

/** One transition of a live, as written to the outbox by the script that made it (includes/emit.lua). */
export interface LiveEvent {
  /**
   * `<liveId>:<seq>:<token>`, the token random per store call (src/store/event-token.ts). Written once with
   * the event, so a redelivery carries the same id and a receiver recognises the repeat; never given to
   * another event, even when a failover lost writes (seq then repeats) or a liveId is used again after its
   * retention. The IM message's Random and the webhook's idempotency key (webhook-id) derive from it.
   */
  id: string;
  type: LiveEventType;
  /**
   * Counts the events of one live from 1; receivers order by it. After a failover that lost writes it may
   * repeat (the id does not): `live.ended` is final whatever its seq.
   */
  seq: number;
  roomId: string;
  liveId: string;
  anchorId: string;
  groupId: string;
  reason?: EndReason;
  /** Server time of the transition, epoch milliseconds. */
  at: number;
  /**
   * `live.ended` with reason `timeout` only: when the live became due (last heartbeat + timeout), epoch ms.
   * `at - deadline` is how late the sweep noticed; delivery time minus it is the detection lag.
   */
  deadline?: number;
  /**
   * `live.started` only, when the new live superseded a running one in the room: that live's id. Its own
   * `live.ended` (reason `superseded`) tells viewers nothing; this start tells them the broadcast changed.
   */
  previousLiveId?: string;
}
