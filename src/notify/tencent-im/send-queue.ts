import { DeliveryError } from '../notifier';
import type { ImRateLimiter } from './rate-limiter';

/** Lower goes first: endings before interruptions and resumptions. */
export enum SendPriority {
  Ended = 0,
  Other = 1,
}

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

/** Most calls asked of the limiter in one round trip. */
const MAX_TAKE = 64;
const MIN_WAIT_MS = 1;

/**
 * Sends wait here for a share of the shared rate; when the budget frees up, the highest-priority
 * waiter goes first, so a burst of thousands of endings is not stuck behind interruption notices.
 * The limiter also holds other notices back while another replica's endings wait (im-rate-1.lua).
 * One pump per process asks the limiter for as many calls as there are waiters.
 */
export class SendQueue {
  private readonly waiting: Waiter[][] = [[], []];
  private pumping = false;
  private closed = false;

  constructor(private readonly limiter: ImRateLimiter) {}

  get size(): number {
    return this.waiting.reduce((n, q) => n + q.length, 0);
  }

  /** Resolves when this send may go; rejects with a retryable DeliveryError when the limiter is unreachable. */
  acquire(priority: SendPriority): Promise<void> {
    if (this.closed) return Promise.reject(new DeliveryError('tencent-im: shutting down', true, 'shutdown'));
    return new Promise((resolve, reject) => {
      this.waiting[priority].push({ resolve, reject });
      if (!this.pumping) void this.pump();
    });
  }

  /** Lets waiting sends go back to the outbox (still pending) instead of holding shutdown up. */
  close(): void {
    this.closed = true;
    this.failAll(new DeliveryError('tencent-im: shutting down', true, 'shutdown'));
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.size > 0) {
        let grant: { granted: number; waitMs: number };
        try {
          const wanted = Math.min(this.size, MAX_TAKE);
          grant = await this.limiter.take(wanted, Math.min(this.waiting[SendPriority.Ended].length, wanted));
        } catch (err) {
          this.failAll(new DeliveryError(`tencent-im: rate limiter unavailable: ${(err as Error).message}`, true, 'rate-limiter'));
          return;
        }
        for (let i = 0; i < grant.granted; i++) this.next()?.resolve();
        if (grant.granted === 0) await sleep(Math.max(MIN_WAIT_MS, grant.waitMs));
      }
    } finally {
      this.pumping = false;
    }
  }

  private next(): Waiter | undefined {
    for (const queue of this.waiting) if (queue.length > 0) return queue.shift();
    return undefined;
  }

  private failAll(error: DeliveryError): void {
    for (const queue of this.waiting) for (const waiter of queue.splice(0)) waiter.reject(error);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
