import type Redis from 'ioredis';
import { Clock } from '../../../src/store/clock';

/** The Redis key the test clock's Lua reads (standalone Redis only: it is outside every shard's slot). */
const CLOCK_KEY = 'led-test:clock';

/**
 * A clock the test moves by hand, for the store's two sides at once: the scripts are loaded with
 * `nowInclude` in place of includes/now.lua (Redis TIME), reading the time this clock wrote to Redis, and
 * the TypeScript side reads `now()`. Production loads the scripts without it, so they keep Redis TIME.
 */
export class ManualClock extends Clock {
  static readonly nowInclude = `local function now_ms() return tonumber(redis.call('GET', '${CLOCK_KEY}')) end\n`;

  private constructor(
    private readonly redis: Redis,
    private ms: number,
  ) {
    super();
  }

  /** A clock at `startMs` (epoch ms), written to Redis before it is returned. */
  static async start(redis: Redis, startMs = 1_800_000_000_000): Promise<ManualClock> {
    const clock = new ManualClock(redis, startMs);
    await clock.set(startMs);
    return clock;
  }

  now(): number {
    return this.ms;
  }

  async set(ms: number): Promise<void> {
    this.ms = ms;
    await this.redis.set(CLOCK_KEY, String(ms));
  }

  async advance(ms: number): Promise<void> {
    await this.set(this.ms + ms);
  }
}
