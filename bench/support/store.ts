import 'reflect-metadata';
import Redis from 'ioredis';
import { Environment } from '../../src/config/environment';
import { LiveEventBus } from '../../src/events/live-event-bus';
import { SystemClock } from '../../src/store/clock';
import { KeyLayout } from '../../src/store/key-layout';
import { defineLuaCommands } from '../../src/store/lua-scripts';
import { LiveStore } from '../../src/store/live-store';

/** The service's own store classes on a plain client, for benchmarks that drive the Lua scripts directly. */
export function benchStore(url: string, settings: Partial<Environment> = {}) {
  const env = Object.assign(new Environment(), settings);
  const redis = new Redis(url, { enableAutoPipelining: true });
  defineLuaCommands(redis);
  const keys = new KeyLayout(env);
  return { redis, env, keys, store: new LiveStore(redis, keys, env, new LiveEventBus(), new SystemClock()) };
}

/** Redis server time in ms (deadlines are judged by it). */
export async function redisNow(redis: Redis): Promise<number> {
  const [s, us] = await redis.time();
  return Number(s) * 1000 + Math.floor(Number(us) / 1000);
}
