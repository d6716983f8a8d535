import type { LiveEvent } from '../events/live-event';

/**
 * Thrown by a notifier when a delivery failed. `retryable` says whether trying again can help;
 * `retryAfterMs` is the receiver's own hint; `code` is what it answered (HTTP status, IM ErrorCode).
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly code?: string | number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** One destination of events. A delivery either resolves (done) or throws a DeliveryError. */
export interface Notifier {
  /** Stable name used in logs, dead letters and metrics, e.g. `webhook#0`. */
  readonly name: string;
  /** Whether this destination cares about the event at all (e.g. viewers skip superseded endings). */
  wants(event: LiveEvent): boolean;
  deliver(event: LiveEvent): Promise<void>;
}

/** Injection token for the list of configured notifiers. */
export const NOTIFIERS = Symbol('NOTIFIERS');
