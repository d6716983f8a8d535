import { Inject, Injectable } from '@nestjs/common';
import { KeyLayout } from './key-layout';
import type { LuaCommands } from './lua-scripts';
import { REDIS } from './redis.tokens';
import type { RedisClient } from './redis-connection';

/** What one ask of the shared IM rate limit asks for (im-rate-3.lua gives the meaning of each). */
export interface ImRateAsk {
  intervalUs: number;
  limit: number;
  windowUs: number;
  wanted: number;
  wantedEnded: number;
  holdMs: number;
  minAheadUs: number;
  horizonUs: number;
}

/** The answer: slots (Redis time, µs) at which to send, the Redis time they are measured against, and when to ask again. */
export interface ImRateAnswer {
  slots: number[];
  redisNowUs: number;
  waitMs: number;
}

/** The shared IM REST rate limit's Redis side: one script call per ask, one ZREM per slot given back. */
@Injectable()
export class ImRateStore {
  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly keys: KeyLayout,
  ) {}

  /** Books up to `ask.wanted` send slots. @throws the Redis error when Redis is unreachable */
  async take(ask: ImRateAsk): Promise<ImRateAnswer> {
    const { pace, sent, endedWaiting } = this.keys.imRate();
    const [, waitMs, nowUs, ...slots] = await (this.redis as unknown as LuaCommands).imRate(
      pace,
      sent,
      endedWaiting,
      ask.intervalUs,
      ask.limit,
      ask.windowUs,
      ask.wanted,
      ask.wantedEnded,
      ask.holdMs,
      ask.minAheadUs,
      ask.horizonUs,
    );
    return { slots: slots.map(Number), redisNowUs: Number(nowUs), waitMs: Number(waitMs) };
  }

  /** Gives back a slot that was not used, so the window does not count it. */
  async giveBack(slotUs: number): Promise<void> {
    await this.redis.zrem(this.keys.imRate().sent, String(slotUs));
  }
}
