import { benchStore } from './support/store';
import { scale, SMOKE } from './support/options';
import { startRedis, usedMemory } from './support/redis';
import { fmt, formatTable, Row, row } from './support/table';

/**
 * Figure 4: Redis memory per tracked live. Lives are started through the service's own heartbeat
 * (LiveStore.heartbeat: heartbeat-3.lua plus the anchor index it writes), so every key and field a
 * running live costs is counted; then each is ended normally (end-3.lua), which keeps the record and
 * a tombstone for ENDED_RETENTION_MS. The outbox is emptied before each reading: delivered events
 * are deleted in production.
 */
const LIVES = scale(100000, 5000);
const LIMIT_BYTES = 300;

export async function runMemory(): Promise<Row[]> {
  const server = await startRedis();
  const bench = benchStore(server.url, { SHARDS: 16, ENDED_RETENTION_MS: 86400000, HEARTBEAT_RATE_PER_SEC: 5, HEARTBEAT_RATE_BURST: 10 });
  const { redis, keys, store } = bench;
  const emptyOutboxes = () => Promise.all(keys.allShards().map((shard) => redis.del(keys.outbox(shard))));
  // Ids shaped like an app's: 11-character room ids, 13-character anchor ids, 20-character live ids.
  const ids = (i: number) => {
    const n = String(i).padStart(6, '0');
    return { roomId: `room-${n}`, anchorId: `anchor-${n}`, liveId: `live-${n}-${(1e8 + i).toString(36)}` };
  };
  const inBatches = async (work: (i: number) => Promise<unknown>) => {
    for (let start = 0; start < LIVES; start += 2000) {
      await Promise.all(Array.from({ length: Math.min(2000, LIVES - start) }, (_, k) => work(start + k)));
    }
  };
  try {
    await redis.config('SET', 'save', '');
    const before = await usedMemory(redis);
    await inBatches((i) => store.heartbeat({ ...ids(i), groupId: ids(i).roomId, timeoutMs: 20000, suspectMs: 10000 }));
    // A second beat each, as a running live has had (it writes the rate-limit bucket again, not new fields).
    await inBatches((i) => store.heartbeat({ ...ids(i), groupId: ids(i).roomId, timeoutMs: 20000, suspectMs: 10000 }));
    await emptyOutboxes();
    const running = ((await usedMemory(redis)) - before) / LIVES;
    const encoding = await redis.object('ENCODING', keys.room(ids(0).roomId));
    const fields = await redis.hlen(keys.room(ids(0).roomId));

    await inBatches((i) => store.end(ids(i).roomId, ids(i).liveId, ids(i).anchorId, 'normal'));
    await emptyOutboxes();
    const ended = ((await usedMemory(redis)) - before) / LIVES;
    return [
      row(`4. Redis memory per running live (${fmt(LIVES)} lives; room hash ${fields} fields, ${encoding})`, `${fmt(running)} bytes`, `≤ ${LIMIT_BYTES} bytes`, running / LIMIT_BYTES, running <= LIMIT_BYTES),
      row('4. Redis memory per ended live (kept for ENDED_RETENTION_MS)', `${fmt(ended)} bytes`, 'reported', null, null),
    ];
  } finally {
    await redis.quit();
    await server.destroy();
  }
}

if (require.main === module) {
  runMemory().then(
    (rows) => console.log(`${SMOKE ? '(smoke) ' : ''}\n${formatTable(rows)}`),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
