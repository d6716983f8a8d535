import { Environment } from './environment';

/**
 * The Redis this configuration reaches, in words for logs: mode and addresses, never a password
 * (REDIS_URL may carry one; only its host, port and database number are shown).
 * E.g. `standalone redis://127.0.0.1:6379/0`, `sentinel master mymaster via 10.0.0.1:26379,10.0.0.2:26379`.
 */
export function describeRedisTarget(env: Pick<Environment, 'REDIS_MODE' | 'REDIS_URL' | 'REDIS_NODES' | 'REDIS_SENTINEL_MASTER'>): string {
  switch (env.REDIS_MODE) {
    case 'cluster':
      return `cluster via seed nodes ${env.REDIS_NODES.join(',')}`;
    case 'sentinel':
      return `sentinel master ${env.REDIS_SENTINEL_MASTER} via ${env.REDIS_NODES.join(',')}`;
    default: {
      try {
        const url = new URL(env.REDIS_URL);
        const db = url.pathname.replace(/^\//, '') || '0';
        return `standalone ${url.protocol}//${url.hostname}:${url.port || '6379'}/${db}`;
      } catch {
        return 'standalone (REDIS_URL unreadable)';
      }
    }
  }
}
