import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { LiveEvent } from '../events/live-event';

/**
 * Writes the one info line per transition, whatever the notifiers are: the outbox consumer calls it
 * when it first reads an event (each event is read new by exactly one replica of the consumer group).
 */
@Injectable()
export class TransitionLog {
  constructor(private readonly logger: PinoLogger) {
    logger.setContext('LiveEvent');
  }

  record(event: LiveEvent): void {
    const { id, type, seq, roomId, liveId, anchorId, groupId, reason, at, deadline } = event;
    this.logger.info({ eventId: id, type, seq, roomId, liveId, anchorId, groupId, reason, at, deadline }, type);
  }

  /** An entry another replica left pending: its line was written when that replica read it. */
  reclaimed(event: LiveEvent): void {
    this.logger.debug({ eventId: event.id, type: event.type, roomId: event.roomId, liveId: event.liveId }, 'reclaimed for delivery');
  }
}
