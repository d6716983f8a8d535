import { Injectable } from '@nestjs/common';
import { LiveEventBus } from '../events/live-event-bus';

/**
 * Wakes the outbox consumer when the store wrote events (LiveEventBus 'transitions': heartbeats, ends,
 * sweeps, IM callbacks) instead of letting them wait for its next poll.
 */
@Injectable()
export class OutboxSignal {
  private waiters: Array<() => void> = [];
  private notified = 0;

  constructor(bus: LiveEventBus) {
    bus.on('transitions', () => this.notify());
  }

  /** How many times notify() was called so far: a reader takes it before it reads, and gives it to wait(). */
  get count(): number {
    return this.notified;
  }

  notify(): void {
    this.notified++;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /**
   * Resolves on the next notify() or after `ms`, whichever comes first; at once if notify() was called since
   * `count` was `since`: events written while the reader was reading (after it passed their shard) are not left
   * waiting for the next poll.
   */
  wait(ms: number, since = this.notified): Promise<void> {
    if (since !== this.notified) return Promise.resolve();
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
