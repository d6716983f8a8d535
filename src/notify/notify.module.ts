import { Module } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { Environment } from '../config/environment';
import { LogNotifier } from './log.notifier';
import { Notifier, NOTIFIERS } from './notifier';
import { OutboxConsumer } from './outbox-consumer';
import { OutboxSignal } from './outbox-signal';
import { TransitionLog } from './transition-log';
import { TencentImChannel } from './tencent-im/tencent-im.channel';
import { TencentImStats } from './tencent-im/tencent-im.stats';
import { WebhookSigner } from './webhook-signature';
import { WebhookNotifier } from './webhook.notifier';

/** Builds the notifiers `NOTIFIERS` names; one webhook notifier per URL, so each is retried on its own. */
function createNotifiers(env: Environment, logger: PinoLogger, tencentIm: TencentImChannel): Notifier[] {
  return env.NOTIFIERS.flatMap((name): Notifier[] => {
    switch (name) {
      case 'log':
        return [new LogNotifier(logger)];
      case 'webhook': {
        const signer = new WebhookSigner(env.WEBHOOK_SECRET);
        return env.WEBHOOK_URLS.map((url, i) => new WebhookNotifier(`webhook#${i}`, url, signer, env.WEBHOOK_TIMEOUT_MS));
      }
      case 'tencent-im':
        return [tencentIm.createNotifier()];
    }
  });
}

@Module({
  providers: [
    OutboxSignal,
    OutboxConsumer,
    TransitionLog,
    TencentImStats,
    TencentImChannel,
    { provide: NOTIFIERS, inject: [Environment, PinoLogger, TencentImChannel], useFactory: createNotifiers },
  ],
  exports: [OutboxSignal, TencentImStats],
})
export class NotifyModule {}
