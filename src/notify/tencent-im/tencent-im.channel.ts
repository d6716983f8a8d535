import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { ConfigSection, InjectConfig } from '../../config/sections';
import { ImRateStore } from '../../store/im-rate-store';
import { ImRateLimiter } from './rate-limiter';
import { ImRestClient } from './rest-client';
import { SendQueue } from './send-queue';
import type { LiveStore } from '../../store/live-store';
import { TencentImGroupStateNotifier } from './group-state.notifier';
import { TencentImNotifier } from './tencent-im.notifier';
import { TencentImStats } from './tencent-im.stats';
import { UserSigCache } from './usersig';

/**
 * Builds the IM notifier from the settings and owns what outlives a delivery: the send queue,
 * which it empties on shutdown (concurrently with the outbox consumer's drain) so that sends
 * still waiting for the rate go back to the outbox instead of holding the process up.
 */
@Injectable()
export class TencentImChannel implements BeforeApplicationShutdown {
  private queue: SendQueue | null = null;
  private shared: { client: ImRestClient; userSig: UserSigCache; queue: SendQueue } | null = null;

  constructor(
    @InjectConfig('notify') private readonly env: ConfigSection<'notify'>,
    private readonly rateStore: ImRateStore,
    private readonly stats: TencentImStats,
  ) {}

  createNotifier(): TencentImNotifier {
    const env = this.env;
    const { client, userSig, queue } = this.parts();
    return new TencentImNotifier(client, userSig, queue, this.stats, {
      events: env.TENCENT_IM_EVENTS,
      endedText: env.TENCENT_IM_TEXT,
      forbidCallbacks: env.TENCENT_IM_FORBID_CALLBACKS,
    });
  }

  /** TENCENT_IM_GROUP_ATTRIBUTES: the group attribute writer, sharing the notices' client, UserSig and rate. */
  createGroupStateNotifier(store: LiveStore): TencentImGroupStateNotifier {
    const { client, queue } = this.parts();
    return new TencentImGroupStateNotifier(client, queue, store);
  }

  /** One REST client, admin UserSig and send queue per process, whichever notifier asks first. */
  private parts(): { client: ImRestClient; userSig: UserSigCache; queue: SendQueue } {
    if (!this.shared) {
      const env = this.env;
      const sdkAppId = env.TENCENT_IM_SDKAPPID!;
      const userSig = new UserSigCache(sdkAppId, env.TENCENT_IM_SECRET_KEY, env.TENCENT_IM_ADMIN, env.TENCENT_IM_USERSIG_TTL_SEC);
      const client = new ImRestClient(env.TENCENT_IM_BASE_URL, sdkAppId, env.TENCENT_IM_ADMIN, userSig, env.TENCENT_IM_TIMEOUT_MS);
      this.queue = new SendQueue(new ImRateLimiter(this.rateStore, env.TENCENT_IM_RATE_PER_SEC));
      this.shared = { client, userSig, queue: this.queue };
    }
    return this.shared;
  }

  beforeApplicationShutdown(): void {
    this.queue?.close();
  }
}
