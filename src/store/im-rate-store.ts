import { Inject, Injectable } from '@nestjs/common';
import { KeyLayout } from './key-layout';
import { SCRIPTS } from './script-specs';
import { ScriptRunner } from './scripts';
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
  private readonly scripts: ScriptRunner;

  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly keys: KeyLayout,
  ) {
    this.scripts = new ScriptRunner(redis);
  }

  /** Books up to `ask.wanted` send slots. @throws the Redis error when Redis is unreachable */
  async take(ask: ImRateAsk): Promise<ImRateAnswer> {
    const { pace, sent, endedWaiting } = this.keys.imRate();
    const { intervalUs, limit, windowUs, wanted, wantedEnded, holdMs, minAheadUs, horizonUs } = ask;
    const [, waitMs, nowUs, ...slots] = (await this.scripts.run(
      SCRIPTS.imRate,
      { pace, sent, mark: endedWaiting },
      { intervalUs, limit, windowUs, wanted, wantedEnded, holdMs, minAheadUs, horizonUs },
    )) as [number, number, string, ...string[]];
    return { slots: slots.map(Number), redisNowUs: Number(nowUs), waitMs: Number(waitMs) };
  }

  /** Gives back a slot that was not used, so the window does not count it. */
  async giveBack(slotUs: number): Promise<void> {
    await this.redis.zrem(this.keys.imRate().sent, String(slotUs));
  }
}
