import Redis from 'ioredis';
import { RedisServer } from '../../test/support/redis-server';

/**
 * A redis-server on a free port for one benchmark (the tests' harness), without AOF: no fsync
 * noise in the figures, and memory figures count data only.
 */
export function startRedis(): Promise<RedisServer> {
  return RedisServer.start(['--appendonly', 'no']);
}

export async function redisVersion(redis: Redis): Promise<string> {
  const info = await redis.info('server');
  return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
}

export async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1]);
}

export type { RedisServer };
