import { sleep } from '../../common/sleep';
import { LocalDeliveryError } from '../notifier';
import { ImCallGrant, ImRateLimiter, LATE_MS } from './rate-limiter';

/** Lower goes first: endings before interruptions and resumptions. */
export enum SendPriority {
  Ended = 0,
  Other = 1,
}

interface Waiter {
  resolve: (grant: ImCallGrant) => void;
  reject: (err: Error) => void;
}

/** Most calls asked of the limiter in one round trip. */
const MAX_TAKE = 64;
const MIN_WAIT_MS = 1;

/**
 * Sends wait here for a share of the shared rate; when calls are granted, the highest-priority waiters get
 * them, so a burst of thousands of endings is not stuck behind interruption notices. The limiter also holds
 * other notices back while another replica's endings wait (im-rate-3.lua). One pump per process asks the
 * limiter for as many calls as there are waiters without one.
 *
 * A granted call goes at its slot, and no later than LATE_MS after it: after an event-loop stall (GC, a busy
 * replica) the late call is given back unsent and the send asks again, first in line, so stalled calls never
 * reach IM in one bunch on top of the calls the other replicas made meanwhile.
 */
export class SendQueue {
  private readonly waiting: Waiter[][] = [[], []];
  private pumping = false;
  private closed = false;
  /** Calls given back because they could not go within LATE_MS of their slot (a sign of stalls). */
  staleGrants = 0;

  constructor(private readonly limiter: ImRateLimiter) {}

  get size(): number {
    return this.waiting.reduce((n, q) => n + q.length, 0);
  }

  /**
   * Resolves when this send may go, and the caller must send right away (no await in between).
   * @throws LocalDeliveryError (retryable) when the limiter is unreachable, the queue closes or `signal` aborts
   */
  async acquire(priority: SendPriority, signal?: AbortSignal): Promise<void> {
    let first = false;
    for (;;) {
      const grant = await this.wait(priority, first, signal);
      const early = grant.at - Date.now();
      if (early > 0 && !(await sleep(early, signal))) {
        await this.giveBack(grant);
        throw new LocalDeliveryError('tencent-im: send aborted', 'aborted');
      }
      if (Date.now() - grant.at <= LATE_MS) return;
      this.staleGrants++;
      await this.giveBack(grant);
      first = true;
    }
  }

  /** Lets waiting sends go back to the outbox (still pending) instead of holding shutdown up. */
  close(): void {
    this.closed = true;
    this.failAll(new LocalDeliveryError('tencent-im: shutting down', 'shutdown'));
  }

  private async giveBack(grant: ImCallGrant): Promise<void> {
    try {
      await this.limiter.giveBack(grant);
    } catch (err) {
      throw new LocalDeliveryError(`tencent-im: rate limiter unavailable: ${(err as Error).message}`, 'rate-limiter');
    }
  }

  private wait(priority: SendPriority, first: boolean, signal?: AbortSignal): Promise<ImCallGrant> {
    if (this.closed) return Promise.reject(new LocalDeliveryError('tencent-im: shutting down', 'shutdown'));
    if (signal?.aborted) return Promise.reject(new LocalDeliveryError('tencent-im: send aborted', 'aborted'));
    return new Promise((resolve, reject) => {
      const queue = this.waiting[priority];
      const onAbort = () => {
        const at = queue.indexOf(waiter);
        if (at >= 0) queue.splice(at, 1);
        reject(new LocalDeliveryError('tencent-im: send aborted', 'aborted'));
      };
      const waiter: Waiter = {
        resolve: (grant) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(grant);
        },
        reject: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (first) queue.unshift(waiter);
      else queue.push(waiter);
      if (!this.pumping) void this.pump();
    });
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.size > 0) {
        let answer: { granted: ImCallGrant[]; waitMs: number };
        try {
          const wanted = Math.min(this.size, MAX_TAKE);
          answer = await this.limiter.take(wanted, Math.min(this.waiting[SendPriority.Ended].length, wanted));
        } catch (err) {
          this.failAll(new LocalDeliveryError(`tencent-im: rate limiter unavailable: ${(err as Error).message}`, 'rate-limiter'));
          return;
        }
        for (const grant of answer.granted) {
          const waiter = this.next();
          // A waiter that left meanwhile (aborted, shutdown): its call is not sent.
          if (waiter) waiter.resolve(grant);
          else void this.limiter.giveBack(grant).catch(() => undefined);
        }
        if (answer.granted.length === 0) await sleep(Math.max(MIN_WAIT_MS, answer.waitMs));
      }
    } finally {
      this.pumping = false;
    }
  }

  private next(): Waiter | undefined {
    for (const queue of this.waiting) if (queue.length > 0) return queue.shift();
    return undefined;
  }

  private failAll(error: LocalDeliveryError): void {
    for (const queue of this.waiting) for (const waiter of queue.splice(0)) waiter.reject(error);
  }
}
