import type { EndReason } from '../store/live-record';

export type LiveEventType = 'live.started' | 'live.interrupted' | 'live.resumed' | 'live.ended';

/** One transition of a live, as written to the outbox by the script that made it. */
export interface LiveEvent {
  /** `<liveId>:<seq>`: stable across redeliveries. */
  id: string;
  type: LiveEventType;
  /** Counts the events of one live from 1; receivers order by it. */
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
