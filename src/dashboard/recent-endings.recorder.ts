import { Injectable, OnModuleInit } from '@nestjs/common';
import { ConfigSection, InjectConfig } from '../config/sections';
import { DeliveryEvents } from '../notify/delivery-events';
import { OutboxConsumer } from '../notify/outbox-consumer';
import { RecentEndings } from '../store/recent-endings';

/**
 * Keeps the status page's list of latest endings: subscribes to deliveries and records each `live.ended` when
 * its viewers' lane (Tencent IM, else the first configured destination) delivered it.
 */
@Injectable()
export class RecentEndingsRecorder implements OnModuleInit {
  constructor(
    @InjectConfig('dashboard') private readonly env: ConfigSection<'dashboard'>,
    private readonly consumer: OutboxConsumer,
    private readonly deliveries: DeliveryEvents,
    private readonly endings: RecentEndings,
  ) {}

  onModuleInit(): void {
    const counted = this.env.NOTIFIERS.includes('tencent-im') ? 'tencent-im' : this.consumer.lanes[0]?.name;
    this.deliveries.onDelivered(async ({ lane, event, at }) => {
      if (event.type !== 'live.ended' || lane !== counted) return;
      await this.endings.record(event, at);
    });
  }
}
