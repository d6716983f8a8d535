import { Injectable } from '@nestjs/common';
import type { LiveEvent } from '../events/live-event';

/** A lane delivered an event: `at` is when, epoch ms. */
export interface Delivered {
  lane: string;
  event: LiveEvent;
  at: number;
}

/**
 * What delivery tells the rest of the app, as typed in-process events: the lanes emit, others (the status
 * page's list of recent endings) subscribe, so delivery knows nothing of who listens.
 */
@Injectable()
export class DeliveryEvents {
  private readonly listeners: Array<(delivered: Delivered) => void | Promise<void>> = [];

  /** Subscribes to every delivery; a listener's failure is its own (caught and ignored here). */
  onDelivered(listener: (delivered: Delivered) => void | Promise<void>): void {
    this.listeners.push(listener);
  }

  delivered(lane: string, event: LiveEvent, at: number): void {
    for (const listener of this.listeners) {
      try {
        void Promise.resolve(listener({ lane, event, at })).catch(() => undefined);
      } catch {
        /* a listener's fault is not delivery's */
      }
    }
  }
}
