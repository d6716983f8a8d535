import { PinoLogger } from 'nestjs-pino';
import type { LiveEvent } from '../events/live-event';
import type { Notifier } from './notifier';

/**
 * The destination for deployments without one: every transition already has its info line (TransitionLog),
 * so delivering here adds only a debug line rather than printing each event twice.
 */
export class LogNotifier implements Notifier {
  readonly name = 'log';
  readonly ordered = false;
  readonly describe = 'the service log';

  constructor(private readonly logger: PinoLogger) {
    logger.setContext('LogNotifier');
  }

  wants(): boolean {
    return true;
  }

  async deliver(event: LiveEvent): Promise<void> {
    this.logger.debug({ eventId: event.id }, 'delivered to log');
  }
}
