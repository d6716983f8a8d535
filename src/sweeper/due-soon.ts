import { Injectable } from '@nestjs/common';

type Listener = (roomId: string, dueInMs: number) => void;

/**
 * Tells this replica's sweeper that a room's live falls due sooner than anything its shard had (a live
 * started or resumed: it is judged at its suspect point), so the shard's timer can be set for it; otherwise
 * a live started between full passes would wait for the next one. Steady beats only push deadlines out
 * and say nothing.
 */
@Injectable()
export class DueSoonSignal {
  private listener: Listener | null = null;

  /** The sweeper's: one listener. */
  listen(listener: Listener): void {
    this.listener = listener;
  }

  /** `dueInMs` from now. */
  notify(roomId: string, dueInMs: number): void {
    this.listener?.(roomId, dueInMs);
  }
}
