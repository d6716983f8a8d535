import autocannon from 'autocannon';
import { ask } from '../test/support/redis-process';
import { RedisClusterSet } from '../test/support/redis-cluster';
import { anchors } from './support/anchors';
import { ensureBuilt } from './support/build';
import { scale } from './support/options';
import { ChildServer } from './support/service';
import { fmt, printWhenRun, Row, row } from './support/table';
import { SERVICE_ENV } from './heartbeat';

/**
 * Figure 6: a local 3-primary Redis Cluster under heartbeats: how evenly keys, memory and Redis time spread over
 * the primaries. One replica in cluster mode starts ROOMS lives, then beats them at a fixed rate; per primary,
 * DBSIZE and used_memory after, and Redis's main-thread CPU and commandstats time during the steady beats.
 * SHARDS=64: the shard hash tags' slots fall 21/22/21 over three equal slot ranges (16 would fall 6/6/4).
 */
const ROOMS = scale(10000, 1000);
const SHARDS = 64;
const RATE = scale(2000, 300);
const DURATION_S = scale(10, 3);
const SPREAD_LIMIT = 1.2;

interface NodeReading {
  keys: number;
  memory: number;
  cpuUs: number;
  commandUs: number;
}

async function read(port: number): Promise<NodeReading> {
  const info = String(await ask(port, 'INFO', 'ALL'));
  const num = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  const commandUs = [...info.matchAll(/cmdstat_(\w+):calls=\d+,usec=(\d+)/g)]
    .filter(([, c]) => c !== 'info')
    .reduce((sum, [, , us]) => sum + Number(us), 0);
  return {
    keys: Number(await ask(port, 'DBSIZE')),
    memory: num('used_memory'),
    cpuUs: (num('used_cpu_user_main_thread') + num('used_cpu_sys_main_thread')) * 1e6,
    commandUs,
  };
}

const spread = (values: number[]) => Math.max(...values) / Math.max(1, Math.min(...values));

export async function runCluster(): Promise<Row[]> {
  ensureBuilt();
  const cluster = await RedisClusterSet.start(3);
  let service: ChildServer | null = null;
  try {
    const empty = await Promise.all(cluster.nodes.map((n) => read(n.port)));
    service = await ChildServer.service({ ...SERVICE_ENV, ...cluster.env, SHARDS: String(SHARDS) });
    const fleet = await anchors(ROOMS, 'c');
    let next = 0;
    const requests = [
      {
        method: 'POST',
        setupRequest: (req: any) => {
          const anchor = fleet[next++ % fleet.length];
          req.path = `/v1/rooms/${anchor.roomId}/heartbeat`;
          req.headers = { 'content-type': 'application/json', authorization: anchor.authorization };
          req.body = anchor.body;
          return req;
        },
      },
    ];
    await autocannon({ url: service.url, connections: 20, amount: ROOMS, requests } as autocannon.Options);
    const before = await Promise.all(cluster.nodes.map((n) => read(n.port)));
    const run = await autocannon({
      url: service.url,
      connections: 20,
      duration: DURATION_S,
      overallRate: RATE,
      requests,
    } as autocannon.Options);
    const after = await Promise.all(cluster.nodes.map((n) => read(n.port)));
    const keys = after.map((a) => a.keys);
    const memory = after.map((a, i) => a.memory - empty[i].memory);
    const cpu = after.map((a, i) => a.cpuUs - before[i].cpuUs);
    const commandTime = after.map((a, i) => a.commandUs - before[i].commandUs);
    const list = (values: number[], unit = '') => values.map((v) => fmt(v) + unit).join(' / ');
    const faults = run.non2xx + run.errors;
    return [
      row(
        `6. Cluster, 3 primaries, SHARDS=${SHARDS}, ${fmt(ROOMS)} lives: keys / data memory per primary`,
        `${list(keys)} keys; ${list(
          memory.map((m) => m / 1024),
          ' KiB',
        )}`,
        `busiest ≤ ${SPREAD_LIMIT} × quietest`,
        Math.max(spread(keys), spread(memory)),
        Math.max(spread(keys), spread(memory)) <= SPREAD_LIMIT,
      ),
      row(
        `6. Cluster: Redis time per primary over ${DURATION_S} s of beats at ${fmt(RATE)}/s (main-thread CPU; commandstats)`,
        `${list(
          cpu.map((us) => us / 1000),
          ' ms',
        )}; ${list(
          commandTime.map((us) => us / 1000),
          ' ms',
        )}${faults ? ` (${faults} non-2xx or errors)` : ''}`,
        `busiest ≤ ${SPREAD_LIMIT} × quietest`,
        Math.max(spread(cpu), spread(commandTime)),
        Math.max(spread(cpu), spread(commandTime)) <= SPREAD_LIMIT && faults === 0,
      ),
    ];
  } finally {
    await service?.stop();
    await cluster.destroy();
  }
}

if (require.main === module) printWhenRun(runCluster);
