import { createHash } from 'node:crypto';
import type { LiveEvent } from '../../events/live-event';

export type ViewerNoticeType = 'LIVE_ENDED' | 'LIVE_INTERRUPTED' | 'LIVE_RESUMED' | 'LIVE_REPLACED';
/** The names TENCENT_IM_EVENTS uses. */
export type ViewerEventName = 'ended' | 'interrupted' | 'resumed' | 'replaced';
export const VIEWER_EVENT_NAMES: readonly ViewerEventName[] = ['ended', 'interrupted', 'resumed', 'replaced'];

const NOTICES: Partial<Record<LiveEvent['type'], { type: ViewerNoticeType; name: ViewerEventName }>> = {
  'live.ended': { type: 'LIVE_ENDED', name: 'ended' },
  'live.interrupted': { type: 'LIVE_INTERRUPTED', name: 'interrupted' },
  'live.resumed': { type: 'LIVE_RESUMED', name: 'resumed' },
};

/**
 * What viewers are told about an event, or null when they are told nothing. A live that supersedes a
 * running one (the anchor's app was relaunched with a new liveId) is told as LIVE_REPLACED with the new
 * liveId and `previousLiveId`: the viewers of the old live follow the new one from then on. The
 * superseded live's own ending is not told (LIVE_ENDED would close players of a broadcast that goes on),
 * and neither is a first start (nobody watches yet; joiners read the room status).
 */
export function viewerNotice(event: LiveEvent): { type: ViewerNoticeType; name: ViewerEventName } | null {
  if (event.type === 'live.ended' && event.reason === 'superseded') return null;
  if (event.type === 'live.started') return event.previousLiveId ? { type: 'LIVE_REPLACED', name: 'replaced' } : null;
  return NOTICES[event.type] ?? null;
}

/** The JSON carried in the custom element's `Data`: what viewer apps parse. */
export interface ViewerNoticeData {
  type: ViewerNoticeType;
  roomId: string;
  liveId: string;
  anchorId: string;
  reason: string | null;
  /** Server time of the transition, epoch milliseconds. */
  at: number;
  /** Order of the live's events (1, 2, …): a late-arriving older notice can be recognised. */
  seq: number;
  /** LIVE_REPLACED only: the live it replaced (the one viewers were watching). */
  previousLiveId?: string;
}

/**
 * The body `Random` of send_group_msg: the first 4 bytes of SHA-256 of the event id, as a uint32.
 * The same event always gets the same Random (the IM service drops a repeat within 5 minutes),
 * and each event of a live gets its own, so a second interruption is not mistaken for the first.
 */
export function messageRandom(eventId: string): number {
  return createHash('sha256').update(eventId, 'utf8').digest().readUInt32BE(0);
}

/** Which of the app's own send-message callbacks (before / after) a notice must not trigger (TENCENT_IM_FORBID_CALLBACKS). */
export type ForbiddenCallbacks = 'both' | 'before' | 'after' | 'none';

type ForbidCallbackFlag = 'ForbidBeforeSendMsgCallback' | 'ForbidAfterSendMsgCallback';

const FORBID_FLAGS: Record<ForbiddenCallbacks, ForbidCallbackFlag[]> = {
  both: ['ForbidBeforeSendMsgCallback', 'ForbidAfterSendMsgCallback'],
  before: ['ForbidBeforeSendMsgCallback'],
  after: ['ForbidAfterSendMsgCallback'],
  none: [],
};

export interface GroupMessageBody {
  GroupId: string;
  Random: number;
  MsgPriority: 'High';
  /** send_group_msg's per-message switch (https://cloud.tencent.com/document/product/269/1629). */
  ForbidCallbackControl?: ForbidCallbackFlag[];
  MsgBody: Array<{ MsgType: 'TIMCustomElem'; MsgContent: { Data: string } } | { MsgType: 'TIMTextElem'; MsgContent: { Text: string } }>;
}

/**
 * The send_group_msg body for one event; `endedText` adds a text element to LIVE_ENDED for old clients.
 * `forbidden` keeps the notice away from the app's own before/after send-message callbacks (by default both:
 * a business's moderation or archive need not see our notices, and a slow before-callback cannot hold one up).
 */
export function groupMessage(
  event: LiveEvent,
  type: ViewerNoticeType,
  endedText?: string,
  forbidden: ForbiddenCallbacks = 'both',
): GroupMessageBody {
  const data: ViewerNoticeData = {
    type,
    roomId: event.roomId,
    liveId: event.liveId,
    anchorId: event.anchorId,
    reason: event.reason ?? null,
    at: event.at,
    seq: event.seq,
    ...(event.previousLiveId !== undefined && { previousLiveId: event.previousLiveId }),
  };
  const body: GroupMessageBody = {
    GroupId: event.groupId,
    Random: messageRandom(event.id),
    // A live group drops lower priorities first under its 40 messages/s limit.
    MsgPriority: 'High',
    MsgBody: [{ MsgType: 'TIMCustomElem', MsgContent: { Data: JSON.stringify(data) } }],
  };
  if (FORBID_FLAGS[forbidden].length > 0) body.ForbidCallbackControl = FORBID_FLAGS[forbidden];
  if (endedText && type === 'LIVE_ENDED') body.MsgBody.push({ MsgType: 'TIMTextElem', MsgContent: { Text: endedText } });
  return body;
}
