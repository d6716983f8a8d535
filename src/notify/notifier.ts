import type { LiveEvent } from '../events/live-event';

/**
 * Thrown by a notifier when a delivery failed. `retryable` says whether trying again can help;
 * `retryAfterMs` is the receiver's own hint; `code` is what it answered (HTTP status, IM ErrorCode,
 * or a transport code such as ECONNREFUSED).
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly code?: string | number,
    readonly retryAfterMs?: number,
    /** What kind of failure, for led_delivery_failures_total: e.g. `redirect`, `http`, `network`, `im`. */
    readonly kind = 'error',
  ) {
    super(message);
  }
}

/**
 * The delivery never reached the destination for a reason of this replica's own (the shared IM rate limiter
 * unreachable, shutting down): says nothing about the destination's health, and is always retryable.
 */
export class LocalDeliveryError extends DeliveryError {
  constructor(message: string, code: string) {
    super(message, true, code, undefined, 'local');
  }
}

/** One destination of events. A delivery either resolves (done) or throws a DeliveryError. */
export interface Notifier {
  /** Stable name used in logs, dead letters, metrics and as its lane's consumer group, e.g. `webhook-1a2b3c4d`. */
  readonly name: string;
  /** Whether this destination needs the events of one live in seq order (a lane that keeps per-live order). */
  readonly ordered: boolean;
  /** What an operator may be shown about the destination (no secret): e.g. the webhook URL's origin. */
  readonly describe: string;
  /** Whether this destination cares about the event at all (e.g. viewers skip superseded endings). */
  wants(event: LiveEvent): boolean;
  /** Delivers once; `signal` aborts a delivery still waiting (shutdown, or the lane handing it back). */
  deliver(event: LiveEvent, signal?: AbortSignal): Promise<void>;
}

/** Injection token for the list of configured notifiers. */
export const NOTIFIERS = Symbol('NOTIFIERS');
