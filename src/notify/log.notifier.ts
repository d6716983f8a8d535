import { PinoLogger } from 'nestjs-pino';
import type { LiveEvent } from '../events/live-event';
import type { Notifier } from './notifier';

/** Writes one structured log line per event: the simplest destination, and the default. */
export class LogNotifier implements Notifier {
  readonly name = 'log';

  constructor(private readonly logger: PinoLogger) {
    logger.setContext('LiveEvent');
  }

  wants(): boolean {
    return true;
  }

  async deliver(event: LiveEvent): Promise<void> {
    this.logger.info({ event }, event.type);
  }
}
