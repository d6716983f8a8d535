import Redis, { Cluster, RedisOptions } from 'ioredis';
import { ConfigSection } from '../config/sections';

export type RedisClient = Redis | Cluster;

function hostPort(node: string): { host: string; port: number } {
  const at = node.lastIndexOf(':');
  return { host: node.slice(0, at), port: Number(node.slice(at + 1)) };
}

/** A connection that received nothing for this many command timeouts (and at least 2 s) is dropped and reopened. */
const SILENT_SOCKET_TIMEOUTS = 4;
const MIN_SOCKET_TIMEOUT_MS = 2000;

/**
 * Creates the client `REDIS_MODE` asks for. Every call is bounded in time: commands fail fast while Redis is
 * unreachable (no offline queue), a reply that takes longer than REDIS_COMMAND_TIMEOUT_MS rejects with
 * "Command timed out" (callers answer 503), and a connection that stays silent is dropped and reopened
 * (a hung Redis or a black-holed network; after a Sentinel failover this reaches the new primary). A command
 * whose caller was already told it failed is not sent again on the new connection. The connection is lazy:
 * it opens when StoreModule initialises, so the app can be created without Redis (e.g. to generate openapi.json).
 */
export function connectRedis(env: ConfigSection<'store'>, connectionName = 'live-end-detector'): RedisClient {
  const common: RedisOptions = {
    connectionName,
    password: env.REDIS_PASSWORD,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    lazyConnect: true,
    commandTimeout: env.REDIS_COMMAND_TIMEOUT_MS,
    socketTimeout: Math.max(MIN_SOCKET_TIMEOUT_MS, SILENT_SOCKET_TIMEOUTS * env.REDIS_COMMAND_TIMEOUT_MS),
    connectTimeout: Math.max(MIN_SOCKET_TIMEOUT_MS, SILENT_SOCKET_TIMEOUTS * env.REDIS_COMMAND_TIMEOUT_MS),
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2000),
  };
  switch (env.REDIS_MODE) {
    case 'cluster': {
      const cluster = new Redis.Cluster(env.REDIS_NODES.map(hostPort), {
        redisOptions: common,
        enableOfflineQueue: false,
        lazyConnect: true,
        clusterRetryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2000),
      });
      cluster.on('+node', (node: Redis) => clearSocketTimerOnClose(node));
      return cluster;
    }
    case 'sentinel':
      return clearSocketTimerOnClose(
        new Redis({
          ...common,
          sentinels: env.REDIS_NODES.map(hostPort),
          name: env.REDIS_SENTINEL_MASTER,
        }),
      );
    default:
      return clearSocketTimerOnClose(new Redis(env.REDIS_URL, common));
  }
}

/**
 * ioredis (5.11) keeps the silent-socket timer of a connection that closed while waiting; on the next connection it
 * is not re-armed but fires, dropping a healthy connection right after Redis came back. Cleared on close.
 */
function clearSocketTimerOnClose(client: Redis): Redis {
  client.on('close', () => {
    const internals = client as unknown as { socketTimeoutTimer?: NodeJS.Timeout };
    clearTimeout(internals.socketTimeoutTimer);
    internals.socketTimeoutTimer = undefined;
  });
  return client;
}
