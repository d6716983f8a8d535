import type { Cluster, Redis } from 'ioredis';
import { RedisClusterSet } from './redis-cluster';
import { RedisServer } from './redis-server';

/** What a test needs from its Redis, whatever the deployment. */
export interface TestRedis {
  /** Connection settings for the service (REDIS_URL, or REDIS_MODE and REDIS_NODES). */
  readonly env: Record<string, string>;
  client(): Redis | Cluster;
  keys(pattern: string): Promise<string[]>;
  destroy(): Promise<void>;
}

/**
 * The Redis the core e2e suites run against: a standalone redis-server, or a 3-primary Cluster when
 * TEST_REDIS_MODE=cluster (npm run test:cluster), so the same tests prove both deployments.
 */
export async function startTestRedis(): Promise<TestRedis> {
  const mode = process.env.TEST_REDIS_MODE ?? 'standalone';
  if (mode === 'cluster') return RedisClusterSet.start();
  if (mode === 'standalone') return RedisServer.start();
  throw new Error(`TEST_REDIS_MODE must be standalone or cluster (got "${mode}")`);
}
