import { createHash } from 'node:crypto';
import { Module } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { ConfigSection, configSectionToken } from '../config/sections';
import { LiveStore } from '../store/live-store';
import { LogNotifier } from './log.notifier';
import { Notifier, NOTIFIERS } from './notifier';
import { DeliveryEvents } from './delivery-events';
import { LaneMetrics } from './lane-metrics';
import { OutboxConsumer } from './outbox-consumer';
import { OutboxSignal } from './outbox-signal';
import { TransitionLog } from './transition-log';
import { TencentImChannel } from './tencent-im/tencent-im.channel';
import { TencentImStats } from './tencent-im/tencent-im.stats';
import { WebhookSigner } from './webhook-signature';
import { WebhookNotifier } from './webhook.notifier';
import { WebhookTester } from './webhook-tester';

/**
 * Builds the notifiers `NOTIFIERS` names; one webhook notifier per URL, so each is a lane of its own. A webhook
 * lane is named after a hash of its URL (not its place in WEBHOOK_URLS), so its consumer group and dead letters
 * stay its own when the list changes.
 */
function createNotifiers(env: ConfigSection<'notify'>, logger: PinoLogger, tencentIm: TencentImChannel, store: LiveStore): Notifier[] {
  return env.NOTIFIERS.flatMap((name): Notifier[] => {
    switch (name) {
      case 'log':
        return [new LogNotifier(logger)];
      case 'webhook': {
        const signer = new WebhookSigner(env.WEBHOOK_SECRET);
        return env.WEBHOOK_URLS.map((url) => new WebhookNotifier(webhookLaneName(url), url, signer, env.WEBHOOK_TIMEOUT_MS));
      }
      case 'tencent-im':
        return [tencentIm.createNotifier(), ...(env.TENCENT_IM_GROUP_ATTRIBUTES ? [tencentIm.createGroupStateNotifier(store)] : [])];
    }
  });
}

/** `webhook-` and the first 8 hex digits of the URL's SHA-256: stable, and no part of the URL shown. */
export function webhookLaneName(url: string): string {
  return `webhook-${createHash('sha256').update(url).digest('hex').slice(0, 8)}`;
}

@Module({
  providers: [
    OutboxSignal,
    OutboxConsumer,
    DeliveryEvents,
    LaneMetrics,
    TransitionLog,
    TencentImStats,
    TencentImChannel,
    WebhookTester,
    { provide: NOTIFIERS, inject: [configSectionToken('notify'), PinoLogger, TencentImChannel, LiveStore], useFactory: createNotifiers },
  ],
  exports: [OutboxSignal, TencentImStats, DeliveryEvents, OutboxConsumer, WebhookTester],
})
export class NotifyModule {}
