import { Injectable, Logger } from '@nestjs/common';
import type { TransitionCount } from './live-lifecycle';

/** What caused a store call that made transitions. */
export type TransitionCause = 'heartbeat' | 'end' | 'sweep' | 'im-callback';

/**
 * Published by the store after a script made transitions (their events are already in the outbox).
 * Subscribers: metrics (led_transitions_total) and the outbox wake-up.
 */
export interface TransitionsHappened {
  cause: TransitionCause;
  transitions: TransitionCount[];
}

/** Published by the store when its Redis connection reports an error. Subscriber: metrics (led_redis_errors_total). */
export interface ConnectionError {
  error: Error;
}

/** The in-process events, by name. */
export interface LiveEventMap {
  transitions: TransitionsHappened;
  connectionError: ConnectionError;
}

type Listener<K extends keyof LiveEventMap> = (event: LiveEventMap[K]) => void;

/**
 * Side effects of the store's writes hang off these events instead of being called from every writer
 * (delivery has its own, src/notify/delivery-events.ts).
 * A small typed emitter rather than @nestjs/event-emitter: the payload type is checked at both ends
 * (its `@OnEvent('name')` handlers take `any`), and delivery is synchronous and in-process, which is all
 * that is needed (nothing here crosses replicas: Redis does that). A throwing listener is logged and
 * never reaches the publisher: a metric must not fail a heartbeat.
 */
@Injectable()
export class LiveEventBus {
  private readonly logger = new Logger(LiveEventBus.name);
  private readonly listeners: { [K in keyof LiveEventMap]: Array<Listener<K>> } = { transitions: [], connectionError: [] };

  /** Calls `listener` on every later `name` event, in the publisher's turn; returns the unsubscribe. */
  on<K extends keyof LiveEventMap>(name: K, listener: Listener<K>): () => void {
    const list = this.listeners[name] as Array<Listener<K>>;
    list.push(listener);
    return () => {
      const at = list.indexOf(listener);
      if (at >= 0) list.splice(at, 1);
    };
  }

  publish<K extends keyof LiveEventMap>(name: K, event: LiveEventMap[K]): void {
    for (const listener of this.listeners[name] as Array<Listener<K>>) {
      try {
        listener(event);
      } catch (err) {
        this.logger.error(`a ${name} listener failed: ${(err as Error).message}`);
      }
    }
  }
}
