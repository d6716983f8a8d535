import { Injectable } from '@nestjs/common';
import { LiveEventBus } from '../events/live-event-bus';

/**
 * Wakes the outbox consumer when the store wrote events (LiveEventBus 'transitions': heartbeats, ends,
 * sweeps, IM callbacks) instead of letting them wait for its next poll.
 */
@Injectable()
export class OutboxSignal {
  private waiters: Array<() => void> = [];

  constructor(bus: LiveEventBus) {
    bus.on('transitions', () => this.notify());
  }

  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves on the next notify() or after `ms`, whichever comes first. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.push(done);
    });
  }
}
