import { Inject, Injectable } from '@nestjs/common';
import { StorageUnavailableError } from '../common/storage-failure';
import { REDIS } from './redis.tokens';
import type { RedisClient } from './redis-connection';

/** Whether the store can serve commands now, for the readiness probe (the only health question asked of Redis). */
@Injectable()
export class StoreHealth {
  constructor(@Inject(REDIS) private readonly redis: RedisClient) {}

  /**
   * Resolves when Redis answers PING within REDIS_COMMAND_TIMEOUT_MS. Rejects at once while the connection is
   * not open (reconnecting), so a probe never waits on a Redis known to be away.
   * @throws StorageUnavailableError (kind `unreachable`) or the client's error (timeout, LOADING…)
   */
  async ping(): Promise<void> {
    if (this.redis.status !== 'ready') {
      throw new StorageUnavailableError('unreachable', new Error(`connection ${this.redis.status}`));
    }
    await this.redis.ping();
  }
}
