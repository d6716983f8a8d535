import { ensureBuilt } from './support/build';
import { scale, sleep } from './support/options';
import { startRedis } from './support/redis';
import { ChildServer } from './support/service';
import { fmt, printWhenRun, Row, row } from './support/table';

/**
 * Figure 3b: what sweeping costs Redis when nothing is due. REPLICAS idle replicas (default settings, no
 * lives) share one Redis; INFO commandstats over WINDOW_S gives the calls each command took. Sweeps and the
 * mass-timeout guard are EVALSHA (sweep and guard-count scripts), MGET and PTTL; delivery's own polling
 * (XREADGROUP, XAUTOCLAIM) is reported apart, but its lane scripts are EVALSHA too and counted with sweeping.
 */
const REPLICAS = scale(10, 2);
const WINDOW_S = scale(10, 3);

type Calls = Map<string, number>;

async function commandCalls(redis: { client(): import('ioredis').Redis }): Promise<Calls> {
  const client = redis.client();
  const info = await client.info('commandstats');
  await client.quit();
  const calls: Calls = new Map();
  for (const [, command, count] of info.matchAll(/cmdstat_([a-z|]+):calls=(\d+)/g)) calls.set(command, Number(count));
  return calls;
}

export async function runIdleSweeps(): Promise<Row[]> {
  ensureBuilt();
  const redis = await startRedis();
  const replicas: ChildServer[] = [];
  try {
    for (let i = 0; i < REPLICAS; i++)
      replicas.push(await ChildServer.service({ REDIS_URL: redis.url, AUTH_MODE: 'none', NOTIFIERS: 'log' }));
    await sleep(2000);
    const before = await commandCalls(redis);
    const startedAt = Date.now();
    await sleep(WINDOW_S * 1000);
    const after = await commandCalls(redis);
    const seconds = (Date.now() - startedAt) / 1000;
    const perSecond = (command: string) => ((after.get(command) ?? 0) - (before.get(command) ?? 0)) / seconds;
    const sweeping = ['evalsha', 'eval', 'mget', 'pttl'].reduce((sum, c) => sum + perSecond(c), 0);
    const delivery = ['xreadgroup', 'xautoclaim', 'xpending'].reduce((sum, c) => sum + perSecond(c), 0);
    const all = [...after.keys()].filter((c) => c !== 'info').reduce((sum, c) => sum + perSecond(c), 0);
    return [
      row(
        `3. Redis calls/s spent sweeping, ${REPLICAS} idle replicas (nothing due, 16 shards)`,
        `${fmt(sweeping)} calls/s (EVALSHA ${fmt(perSecond('evalsha'))}, MGET ${fmt(perSecond('mget'))}, PTTL ${fmt(perSecond('pttl'))}); delivery polling ${fmt(delivery)}/s; all ${fmt(all)}/s`,
        'reported: per replica and SWEEP_INTERVAL_MS, one sweep call per shard and the guard’s counts',
        null,
        null,
      ),
    ];
  } finally {
    await Promise.all(replicas.map((r) => r.stop()));
    await redis.destroy();
  }
}

if (require.main === module) printWhenRun(runIdleSweeps);
