import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Redis, { Cluster } from 'ioredis';
import { ask } from './redis-process';
import { RedisServer } from './redis-server';
import { waitFor } from './wait-for';

const run = promisify(execFile);

/** A real Redis Cluster of `size` primaries (no replicas), each a redis-server on a free port. */
export class RedisClusterSet {
  private constructor(readonly nodes: RedisServer[]) {}

  static async start(size = 3): Promise<RedisClusterSet> {
    const nodes = await Promise.all(
      Array.from({ length: size }, () =>
        RedisServer.start(['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000']),
      ),
    );
    const set = new RedisClusterSet(nodes);
    try {
      const cli = process.env.REDIS_CLI_BIN ?? 'redis-cli';
      await run(cli, ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes']);
      await waitFor(
        async () => {
          const infos = await Promise.all(nodes.map((n) => ask(n.port, 'CLUSTER', 'INFO')));
          return infos.every((info) => String(info).includes('cluster_state:ok'));
        },
        30000,
        'cluster_state:ok on every node',
      );
    } catch (err) {
      await set.destroy();
      throw err;
    }
    return set;
  }

  get env(): Record<string, string> {
    return { REDIS_MODE: 'cluster', REDIS_NODES: this.nodes.map((n) => `127.0.0.1:${n.port}`).join(',') };
  }

  client(): Cluster {
    return new Redis.Cluster(
      this.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })),
      { redisOptions: { maxRetriesPerRequest: 1 } },
    );
  }

  /** Keys matching `pattern` on every primary (KEYS on a cluster client would ask one node only). */
  async keys(pattern: string): Promise<string[]> {
    const perNode = await Promise.all(this.nodes.map((n) => ask(n.port, 'KEYS', pattern) as Promise<string[]>));
    return perNode.flat();
  }

  /** Port of the node that serves `key`'s slot (and so holds it, if it exists). */
  async nodeOf(key: string): Promise<number> {
    const port = this.nodes[0].port;
    const slot = Number(await ask(port, 'CLUSTER', 'KEYSLOT', key));
    const ranges = (await ask(port, 'CLUSTER', 'SLOTS')) as Array<[number, number, [string, number, ...unknown[]]]>;
    const range = ranges.find(([from, to]) => slot >= from && slot <= to);
    if (!range) throw new Error(`no node serves slot ${slot}`);
    return Number(range[2][1]);
  }

  async destroy(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.destroy()));
  }
}
