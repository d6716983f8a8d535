import { benchStore, redisNow } from './support/store';
import { scale } from './support/options';
import { startRedis } from './support/redis';
import { fmt, printWhenRun, Row, row } from './support/table';
import { encodeRunningRecord } from '../src/store/room-record';

/**
 * Figure 2: the cost of one sweep pass that finds 10,000 lives due, among 10,000 and among 1,000,000
 * tracked. Lives are written straight into the key layout with pipelines (room record as heartbeat-7.lua
 * writes it, ZADD due); the pass is the sweeper's: every shard at once through LiveStore.sweepShard
 * (sweep-6.lua), batch after batch, until all due lives are claimed and their events are in the outbox.
 */
const DUE = scale(10000, 1000);
const TRACKED_LARGE = scale(1000000, 50000);
const BATCH = 1000;
const REPEATS = 3;

type Bench = ReturnType<typeof benchStore>;

/** Writes lives [from, to): due ones (silent past their timeout, so the pass ends them) or healthy ones. */
async function loadLives({ redis, keys }: Bench, from: number, to: number, now: number, due: boolean): Promise<void> {
  const CHUNK = 5000;
  for (let start = from; start < to; start += CHUNK) {
    const pipeline = redis.pipeline();
    for (let i = start; i < Math.min(to, start + CHUNK); i++) {
      const roomId = `room-s${i}`;
      const lastHeartbeatAt = due ? now - 25000 : now;
      pipeline.hset(
        keys.rooms(keys.shardOf(roomId)),
        roomId,
        encodeRunningRecord({
          roomId,
          liveId: `live-s${i}`,
          anchorId: `anchor-s${i}`,
          startedAt: now - 60000,
          lastHeartbeatAt,
          timeoutMs: 20000,
          suspectMs: 10000,
          seq: 1,
        }),
      );
      // Healthy lives are judged in an hour: loading a million takes a while, and none may fall due meanwhile.
      pipeline.zadd(keys.due(keys.shardOf(roomId)), due ? lastHeartbeatAt + 10000 : now + 3600000, roomId);
    }
    await pipeline.exec();
  }
}

/** One sweep pass over every shard as SweeperService runs it; returns ms and events appended. */
async function sweepPass(bench: Bench): Promise<{ ms: number; events: number; ended: number }> {
  const { store, keys, redis } = bench;
  await Promise.all(keys.allShards().map((shard) => redis.del(keys.outbox(shard))));
  const started = process.hrtime.bigint();
  const ended = await Promise.all(
    keys.allShards().map(async (shard) => {
      let total = 0;
      for (;;) {
        const outcome = await store.sweepShard(shard, BATCH, false);
        total += outcome.ended;
        if (outcome.claimed < BATCH) return total;
      }
    }),
  );
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const lengths = await Promise.all(keys.allShards().map((shard) => redis.xlen(keys.outbox(shard))));
  return { ms, events: lengths.reduce((a, b) => a + b, 0), ended: ended.reduce((a, b) => a + b, 0) };
}

/** Median of REPEATS passes, each over DUE freshly due lives among those tracked. */
async function measure(bench: Bench): Promise<{ ms: number; complete: boolean }> {
  const runs: number[] = [];
  let complete = true;
  for (let r = 0; r < REPEATS; r++) {
    await loadLives(bench, 0, DUE, await redisNow(bench.redis), true);
    const pass = await sweepPass(bench);
    complete &&= pass.events === DUE && pass.ended === DUE;
    runs.push(pass.ms);
  }
  runs.sort((a, b) => a - b);
  return { ms: runs[Math.floor(runs.length / 2)], complete };
}

export async function runSweep(): Promise<Row[]> {
  const server = await startRedis();
  const bench = benchStore(server.url, { SHARDS: 16, SWEEP_BATCH: BATCH, ENDED_RETENTION_MS: 3600000, SWEEP_GAP_MS: 3600000 });
  try {
    const small = await measure(bench);
    const now = await redisNow(bench.redis);
    const loadStart = Date.now();
    await loadLives(bench, DUE, TRACKED_LARGE, now, false);
    const loadS = (Date.now() - loadStart) / 1000;
    const large = await measure(bench);
    const growth = large.ms / small.ms;
    return [
      row(
        `2. sweep: ${fmt(DUE)} due among ${fmt(DUE)} tracked`,
        `${fmt(small.ms)} ms${small.complete ? '' : ' (INCOMPLETE)'}`,
        '< 1,000 ms, all claimed and in the outbox',
        small.ms / 1000,
        small.ms < 1000 && small.complete,
      ),
      row(
        `2. sweep: ${fmt(DUE)} due among ${fmt(TRACKED_LARGE)} tracked`,
        `${fmt(large.ms)} ms${large.complete ? '' : ' (INCOMPLETE)'} (loaded in ${fmt(loadS, 1)} s)`,
        `< 1,000 ms and ≤ 1.5 × ${fmt(small.ms)} ms`,
        growth,
        large.ms < 1000 && growth <= 1.5 && large.complete,
      ),
    ];
  } finally {
    await bench.redis.quit();
    await server.destroy();
  }
}

if (require.main === module) printWhenRun(runSweep);
