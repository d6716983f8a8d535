export type LiveState = 'live' | 'interrupted' | 'ended';
export type EndReason = 'normal' | 'timeout' | 'disconnect' | 'admin' | 'superseded';

/** The latest live of a room as stored in its hash. */
export interface LiveRecord {
  roomId: string;
  liveId: string;
  anchorId: string;
  groupId: string;
  state: LiveState;
  startedAt: number;
  lastHeartbeatAt: number;
  endedAt: number | null;
  reason: EndReason | null;
  timeoutMs: number;
}

export type HeartbeatOutcome =
  | { kind: 'ok'; deadline: number; eventsEmitted: number }
  | { kind: 'gone'; reason: EndReason }
  | { kind: 'conflict' }
  | { kind: 'limited'; retryAfterMs: number };

export type EndOutcome =
  | { kind: 'ended' | 'already'; reason: EndReason; liveId: string }
  | { kind: 'conflict' }
  | { kind: 'unknown' };

export interface SweepOutcome {
  interrupted: number;
  ended: number;
  /** How many due lives the script looked at; equal to the batch limit when more may be waiting. */
  claimed: number;
}
