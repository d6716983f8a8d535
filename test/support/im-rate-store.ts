import type { Redis } from 'ioredis';
import type { Environment } from '../../src/config/environment';
import { ImRateStore } from '../../src/store/im-rate-store';
import { KeyLayout } from '../../src/store/key-layout';

/** The limiter's Redis side on its own keys (`prefix` stands for REDIS_KEY_PREFIX), so tests do not share a budget. */
export function rateStore(client: Redis, prefix: string): ImRateStore {
  return new ImRateStore(client, new KeyLayout({ SHARDS: 1, REDIS_KEY_PREFIX: prefix } as Environment));
}
