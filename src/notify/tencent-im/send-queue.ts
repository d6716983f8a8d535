import { DeliveryError } from '../notifier';
import { GRANT_TTL_MS, ImCallGrant, ImRateLimiter } from './rate-limiter';

/** Lower goes first: endings before interruptions and resumptions. */
export enum SendPriority {
  Ended = 0,
  Other = 1,
}

/** A call granted to a waiter, and when the limiter was asked for it (before the round trip). */
interface Granted {
  grant: ImCallGrant;
  askedAt: number;
}

interface Waiter {
  resolve: (granted: Granted) => void;
  reject: (err: Error) => void;
}

/** Most calls asked of the limiter in one round trip. */
const MAX_TAKE = 64;
const MIN_WAIT_MS = 1;

/**
 * Sends wait here for a share of the shared rate; when the budget frees up, the highest-priority
 * waiter goes first, so a burst of thousands of endings is not stuck behind interruption notices.
 * The limiter also holds other notices back while another replica's endings wait (im-rate-3.lua).
 * One pump per process asks the limiter for as many calls as there are waiters.
 *
 * A grant is used only if the call can go within GRANT_TTL_MS of asking for it: after an event-loop stall
 * (GC, a busy replica) the stale grant is given back unsent and the send asks again, first in line, so
 * stalled calls never reach IM in one bunch on top of the calls the other replicas made meanwhile.
 */
export class SendQueue {
  private readonly waiting: Waiter[][] = [[], []];
  private pumping = false;
  private closed = false;
  /** Grants given back because they were too old to use (a sign of stalls). */
  staleGrants = 0;

  constructor(private readonly limiter: ImRateLimiter) {}

  get size(): number {
    return this.waiting.reduce((n, q) => n + q.length, 0);
  }

  /**
   * Resolves when this send may go, and the caller must send right away (no await in between);
   * rejects with a retryable DeliveryError when the limiter is unreachable.
   */
  async acquire(priority: SendPriority): Promise<void> {
    let granted = await this.wait(priority, false);
    while (Date.now() - granted.askedAt > GRANT_TTL_MS) {
      this.staleGrants++;
      try {
        await this.limiter.giveBack(granted.grant);
      } catch (err) {
        throw new DeliveryError(`tencent-im: rate limiter unavailable: ${(err as Error).message}`, true, 'rate-limiter');
      }
      granted = await this.wait(priority, true);
    }
  }

  /** Lets waiting sends go back to the outbox (still pending) instead of holding shutdown up. */
  close(): void {
    this.closed = true;
    this.failAll(new DeliveryError('tencent-im: shutting down', true, 'shutdown'));
  }

  private wait(priority: SendPriority, first: boolean): Promise<Granted> {
    if (this.closed) return Promise.reject(new DeliveryError('tencent-im: shutting down', true, 'shutdown'));
    return new Promise((resolve, reject) => {
      if (first) this.waiting[priority].unshift({ resolve, reject });
      else this.waiting[priority].push({ resolve, reject });
      if (!this.pumping) void this.pump();
    });
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.size > 0) {
        let grant: { granted: ImCallGrant[]; waitMs: number };
        const askedAt = Date.now();
        try {
          const wanted = Math.min(this.size, MAX_TAKE);
          grant = await this.limiter.take(wanted, Math.min(this.waiting[SendPriority.Ended].length, wanted));
        } catch (err) {
          this.failAll(new DeliveryError(`tencent-im: rate limiter unavailable: ${(err as Error).message}`, true, 'rate-limiter'));
          return;
        }
        for (const call of grant.granted) {
          const waiter = this.next();
          // A waiter that left meanwhile (shutdown): its call is not sent.
          if (waiter) waiter.resolve({ grant: call, askedAt });
          else void this.limiter.giveBack(call).catch(() => undefined);
        }
        if (grant.granted.length === 0) await sleep(Math.max(MIN_WAIT_MS, grant.waitMs));
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
