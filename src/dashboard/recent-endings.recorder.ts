import { Injectable, Logger } from '@nestjs/common';
import { LiveEventBus } from '../events/live-event-bus';
import { MetricsService } from '../metrics/metrics.service';
import { RecentEndings } from '../store/recent-endings';

/**
 * Keeps the status page's list of latest endings: each delivered live.ended is recorded with when its
 * notice went out. Exists only with the dashboard (DashboardModule), so nothing else needs to ask whether it is on.
 */
@Injectable()
export class RecentEndingsRecorder {
  private readonly logger = new Logger(RecentEndingsRecorder.name);

  constructor(bus: LiveEventBus, endings: RecentEndings, metrics: MetricsService) {
    bus.on('delivered', ({ event, deliveredAt }) => {
      if (event.type !== 'live.ended') return;
      endings.record(event, deliveredAt).catch((err: Error) => {
        metrics.redisError('outbox');
        this.logger.warn(`could not list the ending ${event.id} for the status page: ${err.message}`);
      });
    });
  }
}
