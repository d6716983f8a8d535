import { Logger } from '@nestjs/common';
import type { LiveEvent } from '../../events/live-event';
import { DeliveryError, Notifier } from '../notifier';
import { errorAction } from './error-policy';
import { ForbiddenCallbacks, groupMessage, GroupMessageBody, ViewerEventName, viewerNotice } from './message';
import { ImReply, ImRestClient, ImTransportError } from './rest-client';
import { SendPriority, SendQueue } from './send-queue';
import type { TencentImStats } from './tencent-im.stats';
import type { UserSigCache } from './usersig';

/** Least wait before retrying a call whose freshly made UserSig was refused too (70001, 60004/60005). */
const SIGNATURE_REFUSED_RETRY_MS = 5000;

export const SEND_GROUP_MSG = 'v4/group_open_http_svc/send_group_msg';

export interface TencentImNotifierOptions {
  events: ViewerEventName[];
  endedText?: string;
  forbidCallbacks?: ForbiddenCallbacks;
}

/**
 * Tells a room's viewers through a group message (send_group_msg). Each call waits for the shared
 * rate; the IM answer's ErrorCode decides between done, retry (with the consumer's backoff),
 * a new UserSig and one more try, or a dead letter.
 */
export class TencentImNotifier implements Notifier {
  readonly name = 'tencent-im';
  /** Endings go first (send-queue.ts); viewer apps order notices by `seq`. */
  readonly ordered = false;
  readonly describe = 'Tencent IM send_group_msg';
  private readonly logger = new Logger('TencentImNotifier');
  private readonly events: Set<ViewerEventName>;

  constructor(
    private readonly client: ImRestClient,
    private readonly userSig: UserSigCache,
    private readonly queue: SendQueue,
    private readonly stats: TencentImStats,
    private readonly options: TencentImNotifierOptions,
  ) {
    this.events = new Set(options.events);
  }

  wants(event: LiveEvent): boolean {
    const notice = viewerNotice(event);
    return notice !== null && this.events.has(notice.name);
  }

  async deliver(event: LiveEvent, signal?: AbortSignal): Promise<void> {
    const notice = viewerNotice(event);
    if (!notice) return;
    const body = groupMessage(event, notice.type, this.options.endedText, this.options.forbidCallbacks);
    // LIVE_REPLACED ends the broadcast its viewers watched: it goes with the endings, so a room's replacement is not
    // overtaken by the new live's own ending.
    const priority = notice.type === 'LIVE_ENDED' || notice.type === 'LIVE_REPLACED' ? SendPriority.Ended : SendPriority.Other;

    let reply = await this.send(body, priority, signal);
    if (reply.ErrorCode !== 0 && errorAction(reply.ErrorCode).kind === 'renew-signature') {
      this.userSig.renew();
      this.stats.signatureRenewals++;
      this.logger.warn(`IM refused the admin UserSig (${reply.ErrorCode}); made a new one and retrying`);
      reply = await this.send(body, priority, signal);
    }
    if (reply.ErrorCode === 0 && reply.ActionStatus === 'OK') {
      this.stats.sent++;
      return;
    }
    throw this.failure(event, reply);
  }

  private async send(body: GroupMessageBody, priority: SendPriority, signal?: AbortSignal): Promise<ImReply> {
    await this.queue.acquire(priority, signal);
    try {
      return await this.client.call(SEND_GROUP_MSG, body, signal);
    } catch (err) {
      if (!(err instanceof ImTransportError)) throw err;
      this.stats.countRetry(err.code);
      throw new DeliveryError(`tencent-im: ${err.message}`, true, err.code, undefined, 'network');
    }
  }

  private failure(event: LiveEvent, reply: ImReply): DeliveryError {
    const code = reply.ErrorCode;
    const message = `tencent-im: group ${event.groupId}: ErrorCode ${code} ${reply.ErrorInfo ?? ''}`.trim();
    const action = errorAction(code);
    switch (action.kind) {
      case 'retry':
        this.stats.countRetry(code);
        return new DeliveryError(message, true, code, action.retryAfterMs, 'im');
      case 'renew-signature':
        // A fresh UserSig was refused too: IM's own hiccup, or a clock or key problem. At least 5 s, then the lane's
        // backoff grows it: a short refusal holds notices seconds, not a minute, and a lasting one is not hammered.
        this.stats.countRetry(code);
        return new DeliveryError(message, true, code, SIGNATURE_REFUSED_RETRY_MS, 'im');
      case 'permanent':
        this.stats.countDeadLetter(code);
        return new DeliveryError(message, false, code, undefined, 'im');
    }
  }
}
