import type { EndReason, LiveState, TransitionCount } from '../events/live-lifecycle';

export type { EndReason, LiveState, TransitionCount } from '../events/live-lifecycle';

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
  /** The live's heartbeat timeout, ms; null once it ended (an ended record keeps no timeouts). */
  timeoutMs: number | null;
}

export type HeartbeatOutcome =
  | { kind: 'ok'; deadline: number; transitions: TransitionCount[] }
  | { kind: 'gone'; reason: EndReason }
  | { kind: 'conflict' }
  | { kind: 'limited'; retryAfterMs: number };

/** `remembered`: an anchor's end of a liveId not seen yet (it overtook the first heartbeat): that live never starts. */
export type EndOutcome =
  { kind: 'ended' | 'already' | 'remembered'; reason: EndReason; liveId: string } | { kind: 'conflict' } | { kind: 'unknown' };

export interface SweepOutcome {
  interrupted: number;
  ended: number;
  /** How many due lives the script looked at; equal to the batch limit when more may be waiting. */
  claimed: number;
  /** Time since the shard's previous sweep when it exceeded the gap threshold, else 0. */
  gapMs: number;
  /** Lives given a fresh grace after a gap instead of being judged. */
  rescheduled: number;
  transitions: TransitionCount[];
  /** When the shard's earliest running or interrupted live falls due, from the sweep's time (ms); -1: none tracked. */
  nextDueInMs: number;
}

export interface ShardCounts {
  running: number;
  interrupted: number;
  /** Interrupted lives that end within the asked horizon unless they beat again. */
  dueToEnd: number;
}
