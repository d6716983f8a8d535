import type { LiveEvent } from '../../events/live-event';
import type { LiveStore } from '../../store/live-store';
import { DeliveryError, Notifier } from '../notifier';
import { errorAction } from './error-policy';
import { ImRestClient, ImTransportError } from './rest-client';
import { SendPriority, SendQueue } from './send-queue';

export const MODIFY_GROUP_ATTR = 'v4/group_open_http_svc/modify_group_attr';
/** The group attribute viewer apps read (keys: at most 32 bytes, 16 per group). */
export const GROUP_STATE_KEY = 'led_live';
/** IM's limit for one attribute value (4 KB; all attributes of a group together: 16 KB). */
export const GROUP_ATTR_VALUE_MAX_BYTES = 4096;

/** The JSON in the `led_live` group attribute: the room's live as it stands. */
export interface GroupLiveState {
  state: 'live' | 'interrupted' | 'ended';
  roomId: string;
  liveId: string;
  anchorId: string;
  reason: string | null;
  startedAt: number;
  endedAt: number | null;
  /** The event that caused this write: its time (epoch ms) and its seq within the live. */
  at: number;
  seq: number;
}

/**
 * TENCENT_IM_GROUP_ATTRIBUTES: each transition also writes the room's live state into the AVChatRoom's group
 * attributes (REST modify_group_attr, https://cloud.tencent.com/document/product/269/44188; app admin only,
 * 200 calls/s; 16 keys of ≤ 32 bytes, values ≤ 4 KB), so a viewer app reads it with the IM SDK's
 * getGroupAttributes right after joining, without calling the status API. It takes its calls from the same
 * shared IM rate as the notices, at the priority of non-ending notices: endings go first.
 * The state written is the room's record at send time, and only while the event's live is still the room's
 * latest, so a late write about an older live never overwrites a newer one.
 */
export class TencentImGroupStateNotifier implements Notifier {
  readonly name = 'tencent-im-group-state';
  readonly ordered = true;
  readonly describe = `Tencent IM group attribute ${GROUP_STATE_KEY}`;

  constructor(
    private readonly client: ImRestClient,
    private readonly queue: SendQueue,
    private readonly store: LiveStore,
  ) {}

  /** Every transition except a superseded ending: the new live's start writes the room's state. */
  wants(event: LiveEvent): boolean {
    return !(event.type === 'live.ended' && event.reason === 'superseded');
  }

  async deliver(event: LiveEvent, signal?: AbortSignal): Promise<void> {
    const record = await this.store.get(event.roomId);
    if (!record || record.liveId !== event.liveId) return;
    const value: GroupLiveState = {
      state: record.state,
      roomId: event.roomId,
      liveId: record.liveId,
      anchorId: record.anchorId,
      reason: record.reason,
      startedAt: record.startedAt,
      endedAt: record.endedAt,
      at: event.at,
      seq: event.seq,
    };
    const text = JSON.stringify(value);
    if (Buffer.byteLength(text) > GROUP_ATTR_VALUE_MAX_BYTES)
      throw new DeliveryError(`${this.name}: value exceeds 4 KB`, false, 'too-large', undefined, 'im');
    await this.queue.acquire(SendPriority.Other, signal);
    let reply;
    try {
      reply = await this.client.call(
        MODIFY_GROUP_ATTR,
        { GroupId: event.groupId, GroupAttr: [{ key: GROUP_STATE_KEY, value: text }] },
        signal,
      );
    } catch (err) {
      if (!(err instanceof ImTransportError)) throw err;
      throw new DeliveryError(`${this.name}: ${err.message}`, true, err.code, undefined, 'network');
    }
    if (reply.ErrorCode === 0 && reply.ActionStatus === 'OK') return;
    const message = `${this.name}: group ${event.groupId}: ErrorCode ${reply.ErrorCode} ${reply.ErrorInfo ?? ''}`.trim();
    const action = errorAction(reply.ErrorCode);
    // 10049: the group's attributes were written more than 5 times in a second; the next try waits.
    const retryable = action.kind !== 'permanent' || reply.ErrorCode === 10049;
    throw new DeliveryError(
      message,
      retryable,
      reply.ErrorCode,
      action.kind === 'retry' ? action.retryAfterMs : reply.ErrorCode === 10049 ? 1000 : undefined,
      'im',
    );
  }
}
