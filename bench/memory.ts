import type { Environment } from '../src/config/environment';
import { benchStore } from './support/store';
import { scale } from './support/options';
import { startRedis, usedMemory } from './support/redis';
import { fmt, printWhenRun, Row, row } from './support/table';

/**
 * Figure 4: Redis memory per tracked live. Lives are started through the service's own heartbeat
 * (LiveStore.heartbeat: heartbeat-7.lua), so every key and field a running live costs is counted:
 * its room record (a field of the shard's rooms hash), its entry in the shard's due set, and with IM
 * callbacks on its anchor index entry. Then each is ended normally (end-live-6.lua), which keeps the
 * record (listed in the shard's ended set) and a tombstone for ENDED_RETENTION_MS. The outbox is
 * emptied before each reading: delivered events are deleted in production.
 */
const LIVES = scale(100000, 5000);
/** Issue 17: per running live, and per ended live within its retention. */
const LIMIT_BYTES = 200;
const ENDED_LIMIT_BYTES = 250;

// Ids shaped like an app's: 11-character room ids, 13-character anchor ids, 18-character live ids.
const ids = (i: number) => {
  const n = String(i).padStart(6, '0');
  return { roomId: `room-${n}`, anchorId: `anchor-${n}`, liveId: `live-${n}-${(1e8 + i).toString(36)}` };
};

const inBatches = async (work: (i: number) => Promise<unknown>) => {
  for (let start = 0; start < LIVES; start += 2000) {
    await Promise.all(Array.from({ length: Math.min(2000, LIVES - start) }, (_, k) => work(start + k)));
  }
};

interface Reading {
  running: number;
  ended: number | null;
  recordBytes: number;
  encoding: string;
}

/** Bytes per live on a fresh redis-server: running (after two beats each), then ended if `end`. */
async function measure(settings: Partial<Environment>, end: boolean): Promise<Reading> {
  const server = await startRedis();
  const bench = benchStore(server.url, {
    SHARDS: 16,
    ENDED_RETENTION_MS: 86400000,
    HEARTBEAT_RATE_PER_SEC: 5,
    HEARTBEAT_RATE_BURST: 10,
    ...settings,
  });
  const { redis, keys, store } = bench;
  const emptyOutboxes = () => Promise.all(keys.allShards().map((shard) => redis.del(keys.outbox(shard))));
  const beat = (i: number) => store.heartbeat({ ...ids(i), groupId: ids(i).roomId, timeoutMs: 20000, suspectMs: 10000 });
  try {
    await redis.config('SET', 'save', '');
    const before = await usedMemory(redis);
    await inBatches(beat);
    // A second beat each, as a running live has had (it rewrites the record with the rate limiter's time).
    await inBatches(beat);
    await emptyOutboxes();
    const running = ((await usedMemory(redis)) - before) / LIVES;
    const { roomId } = ids(0);
    const rooms = keys.rooms(keys.shardOf(roomId));
    const recordBytes = await redis.hstrlen(rooms, roomId);
    const encoding = String(await redis.object('ENCODING', rooms));
    if (!end) return { running, ended: null, recordBytes, encoding };

    await inBatches((i) => store.end(ids(i).roomId, ids(i).liveId, ids(i).anchorId, 'normal'));
    await emptyOutboxes();
    return { running, ended: ((await usedMemory(redis)) - before) / LIVES, recordBytes, encoding };
  } finally {
    await redis.quit();
    await server.destroy();
  }
}

/**
 * What Redis's own structures cost per running live before any byte of the record: a due-set entry (skiplist
 * node and dict entry) and a rooms-hash field with an empty value, with the same ids and shard spread.
 */
async function structureFloor(): Promise<number> {
  const server = await startRedis();
  const redis = server.client();
  try {
    await redis.config('SET', 'save', '');
    const before = await usedMemory(redis);
    for (let start = 0; start < LIVES; start += 5000) {
      const batch = redis.pipeline();
      for (let i = start; i < Math.min(LIVES, start + 5000); i++) {
        const { roomId } = ids(i);
        batch.zadd(`due:${i % 16}`, 1_800_000_000_000 + i, roomId).hset(`rooms:${i % 16}`, roomId, '');
      }
      await batch.exec();
    }
    return ((await usedMemory(redis)) - before) / LIVES;
  } finally {
    redis.disconnect();
    await server.destroy();
  }
}

export async function runMemory(): Promise<Row[]> {
  const floor = await structureFloor();
  const plain = await measure({}, true);
  const withCallbacks = await measure({ TENCENT_IM_CALLBACK_TOKEN: 'bench-callback-token' }, false);
  const ended = plain.ended!;
  return [
    row(
      `4. Redis memory per running live (${fmt(LIVES)} lives; record ${plain.recordBytes} bytes in a ${plain.encoding} per shard)`,
      `${fmt(plain.running)} bytes`,
      `≤ ${LIMIT_BYTES} bytes`,
      plain.running / LIMIT_BYTES,
      plain.running <= LIMIT_BYTES,
    ),
    row(
      "4. of which Redis's own structures: a due-set entry + a rooms-hash field with an empty value",
      `${fmt(floor)} bytes`,
      `reported (leaves ${fmt(Math.max(0, LIMIT_BYTES - floor))} bytes under the target for a ${plain.recordBytes}-byte record)`,
      null,
      null,
    ),
    row(
      '4. Redis memory per running live with IM callbacks on (anchor index)',
      `${fmt(withCallbacks.running)} bytes`,
      'reported (the anchor index adds ~30 bytes)',
      null,
      null,
    ),
    row(
      '4. Redis memory per ended live (kept for ENDED_RETENTION_MS)',
      `${fmt(ended)} bytes`,
      `≤ ${ENDED_LIMIT_BYTES} bytes`,
      ended / ENDED_LIMIT_BYTES,
      ended <= ENDED_LIMIT_BYTES,
    ),
  ];
}

if (require.main === module) printWhenRun(runMemory);
