import { Inject, Injectable } from '@nestjs/common';
import type { LiveEvent } from '../events/live-event';
import { KeyLayout } from './key-layout';
import { REDIS } from './redis.tokens';
import type { RedisClient } from './redis-connection';

/** How many endings the list keeps; the status page shows the newest. */
export const RECENT_ENDINGS_KEPT = 50;

export interface RecentEnding {
  roomId: string;
  liveId: string;
  anchorId: string;
  reason: string | null;
  /** When the live ended (server time, epoch ms). */
  at: number;
  /** Timeout endings: when the live became due (last heartbeat + timeout). */
  deadline: number | null;
  /** When its notice was delivered (every notifier done). */
  deliveredAt: number;
}

/**
 * A capped list of the latest endings whose notices went out, for the status page: one LPUSH and
 * LTRIM per ending (one key, one slot, one round trip), read with one LRANGE; never a scan.
 */
@Injectable()
export class RecentEndings {
  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly keys: KeyLayout,
  ) {}

  async record(event: LiveEvent, deliveredAt: number): Promise<void> {
    const ending: RecentEnding = {
      roomId: event.roomId,
      liveId: event.liveId,
      anchorId: event.anchorId,
      reason: event.reason ?? null,
      at: event.at,
      deadline: event.deadline ?? null,
      deliveredAt,
    };
    const key = this.keys.recentEndings();
    await this.redis.multi().lpush(key, JSON.stringify(ending)).ltrim(key, 0, RECENT_ENDINGS_KEPT - 1).exec();
  }

  async latest(count: number): Promise<RecentEnding[]> {
    const items = await this.redis.lrange(this.keys.recentEndings(), 0, Math.min(count, RECENT_ENDINGS_KEPT) - 1);
    return items.map((item) => JSON.parse(item) as RecentEnding);
  }
}
