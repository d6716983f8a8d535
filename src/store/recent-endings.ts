import { Inject, Injectable } from '@nestjs/common';
import type { LiveEvent } from '../events/live-event';
import { KeyLayout } from './key-layout';
import { REDIS } from './redis.tokens';
import type { RedisClient } from './redis-connection';

/** How many endings the list keeps; the status page shows the newest. */
export const RECENT_ENDINGS_KEPT = 50;
/** How long a minute of the endings history is kept (the page shows the last hour). */
const MINUTE_KEPT_SECONDS = 2 * 3600;
const MINUTE_MS = 60_000;

/** The endings of one minute (by the time the lives ended) and the detection lag of its timeout endings. */
export interface EndingsMinute {
  /** Start of the minute, epoch ms. */
  at: number;
  endings: number;
  /** Endings with a detection lag (timeout endings). */
  lagCount: number;
  lagAvgMs: number | null;
  lagMaxMs: number | null;
}

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
 * A capped list of the latest endings whose notices went out, and per-minute counts of the last hours, for the
 * status page: one MULTI per ending (two keys of one slot, one round trip), read with one LRANGE and one pipeline
 * of 61 ZRANGEs; never a scan.
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
    const minute = this.keys.endingsMinute(Math.floor(ending.at / MINUTE_MS));
    const tx = this.redis
      .multi()
      .lpush(key, JSON.stringify(ending))
      .ltrim(key, 0, RECENT_ENDINGS_KEPT - 1)
      .zincrby(minute, 1, 'n');
    // As led_detection_lag_seconds: from the deadline the silence crossed to the notice delivered.
    if (ending.deadline !== null) {
      const lagMs = Math.max(0, deliveredAt - ending.deadline);
      tx.zincrby(minute, 1, 'lagN').zincrby(minute, lagMs, 'lagSum').zadd(minute, 'GT', lagMs, 'lagMax');
    }
    await tx.expire(minute, MINUTE_KEPT_SECONDS).exec();
  }

  /** The `minutes` whole minutes before `now` and the current one, oldest first; one pipelined read, one slot. */
  async perMinute(now: number, minutes: number): Promise<EndingsMinute[]> {
    const last = Math.floor(now / MINUTE_MS);
    const range = Array.from({ length: minutes + 1 }, (_, i) => last - minutes + i);
    const pipeline = this.redis.pipeline();
    for (const minute of range) pipeline.zrange(this.keys.endingsMinute(minute), 0, -1, 'WITHSCORES');
    const replies = (await pipeline.exec()) ?? [];
    return range.map((minute, i) => {
      const [err, flat] = replies[i] ?? [new Error('no reply'), null];
      if (err) throw err;
      const fields = new Map<string, number>();
      const list = flat as string[];
      for (let j = 0; j + 1 < list.length; j += 2) fields.set(list[j], Number(list[j + 1]));
      const lagCount = fields.get('lagN') ?? 0;
      return {
        at: minute * MINUTE_MS,
        endings: fields.get('n') ?? 0,
        lagCount,
        lagAvgMs: lagCount > 0 ? Math.round((fields.get('lagSum') ?? 0) / lagCount) : null,
        lagMaxMs: lagCount > 0 ? (fields.get('lagMax') ?? null) : null,
      };
    });
  }

  async latest(count: number): Promise<RecentEnding[]> {
    const items = await this.redis.lrange(this.keys.recentEndings(), 0, Math.min(count, RECENT_ENDINGS_KEPT) - 1);
    return items.map((item) => JSON.parse(item) as RecentEnding);
  }
}
