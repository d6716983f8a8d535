import { fork } from 'node:child_process';
import { join } from 'node:path';
import { ensureBuilt } from './support/build';
import { scale, sleep, SMOKE } from './support/options';
import { startRedis } from './support/redis';
import { ChildServer } from './support/service';
import { benchStore, redisNow } from './support/store';
import { fmt, formatTable, Row, row } from './support/table';
import { encodeRunningRecord } from '../src/store/room-record';
import type { FakeImReport } from './support/fake-im-process';

/**
 * Figure 5: a burst of ENDINGS timeout endings (plus INTERRUPTIONS interruption notices in the same sweep)
 * delivered through Tencent IM by 2 replicas sharing the IM rate limit of RATE calls/s, against a fake IM
 * server that answers each call in 50 ms. DELIVERY_CONCURRENCY is 5000 per replica here, so each replica
 * holds enough of the burst for its send queue to put endings first (with the default 64 it can only
 * reorder the 64 it holds).
 */
const ENDINGS = scale(Number(process.env.BENCH_ENDINGS ?? 10000), 400);
const INTERRUPTIONS = scale(500, 40);
const RATE = 200;
const SDKAPPID = 1400000001;
const KEY = 'bench-im-secret-key-0123456789abcdef';

export async function runDelivery(): Promise<Row[]> {
  ensureBuilt();
  const redis = await startRedis();
  // Every answer takes 50 ms. When the fake's process stalls (a busy machine), calls queue in its sockets and are
  // counted in one bunch when it wakes up; verbose runs list those stalls next to the busiest window.
  const im = await FakeImProcess.start({ IM_SDKAPPID: String(SDKAPPID), IM_KEY: KEY, IM_ANSWERS: String((ENDINGS + INTERRUPTIONS) * 2), IM_DELAY_MS: '50' });
  const bench = benchStore(redis.url, { SHARDS: 16 });
  const replicas: ChildServer[] = [];
  try {
    const env = {
      AUTH_MODE: 'none', REDIS_URL: redis.url, NOTIFIERS: 'tencent-im',
      TENCENT_IM_SDKAPPID: String(SDKAPPID), TENCENT_IM_SECRET_KEY: KEY, TENCENT_IM_BASE_URL: im.url,
      TENCENT_IM_RATE_PER_SEC: String(RATE), DELIVERY_CONCURRENCY: '5000',
      // A burst of silence-endings is what the mass-timeout guard exists to hold; this figure measures delivery.
      GUARD_ENABLED: 'false',
    };
    // BENCH_CPU_PROF=<dir>: each replica writes a V8 CPU profile there when it stops.
    const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    replicas.push(await ChildServer.service(env, profile), await ChildServer.service(env, profile));

    // All lives fall due at the same instant, 2 s from now: endings are past their timeout by then,
    // interruptions past their suspect point but far from their (long) timeout.
    const { redis: client, keys } = bench;
    const dueAt = (await redisNow(client)) + 2000;
    const pipeline = client.pipeline();
    for (let i = 0; i < ENDINGS + INTERRUPTIONS; i++) {
      const roomId = `room-d${i}`;
      const ending = i < ENDINGS;
      const lastHeartbeatAt = ending ? dueAt - 30000 : dueAt - 12000;
      pipeline.hset(keys.rooms(keys.shardOf(roomId)), roomId, encodeRunningRecord({
        roomId, liveId: `live-d${i}`, anchorId: `anchor-d${i}`, startedAt: dueAt - 60000,
        lastHeartbeatAt, timeoutMs: ending ? 20000 : 300000, suspectMs: 10000, seq: 1,
      }));
      pipeline.zadd(keys.due(keys.shardOf(roomId)), dueAt, roomId);
    }
    await pipeline.exec();

    const total = ENDINGS + INTERRUPTIONS;
    const giveUpAt = Date.now() + 2000 + (total / RATE) * 1000 * 1.5 + 15000;
    while ((await im.count()) < total && Date.now() < giveUpAt) await sleep(250);

    const received = await im.report();
    const calls = received.requests.map((r) => r.at).sort((a, b) => a - b);
    let busiest = 0;
    let busiestFrom = 0;
    for (let lo = 0, hi = 0; hi < calls.length; hi++) {
      while (calls[hi] - calls[lo] >= 1000) lo++;
      if (hi - lo + 1 > busiest) [busiest, busiestFrom] = [hi - lo + 1, calls[lo]];
    }
    if (process.env.BENCH_VERBOSE) {
      const perSecond = new Map<number, number>();
      for (const at of calls) perSecond.set(Math.floor((at - calls[0]) / 1000), (perSecond.get(Math.floor((at - calls[0]) / 1000)) ?? 0) + 1);
      process.stderr.write(`IM calls per second: ${[...perSecond.values()].join(' ')}\n`);
      const during = received.stalls.filter((s) => s.at + s.ms >= calls[0]);
      const longest = during.map((s) => s.ms).sort((a, b) => b - a);
      // A stall that ends in the busiest window pushed into it the calls that arrived while it lasted.
      const intoBusiest = during.filter((s) => s.at + s.ms >= busiestFrom && s.at + s.ms < busiestFrom + 1000).map((s) => s.ms);
      process.stderr.write(
        `fake IM's process stalled over ${received.stallMs} ms ${longest.length} times while calls came, longest ${longest.slice(0, 5).join(', ')} ms; ` +
          `ending in the busiest window: ${intoBusiest.join(', ') || 'none'} ms\n`,
      );
    }
    const sent = received.messages.slice().sort((a, b) => a.at - b.at);
    const drainS = (sent[sent.length - 1].at - sent[0].at) / 1000;
    const drainRate = (sent.length - 1) / drainS;
    const lastEnded = Math.max(...sent.filter((m) => m.type === 'LIVE_ENDED').map((m) => m.at));
    const interruptedFirst = sent.filter((m) => m.type === 'LIVE_INTERRUPTED' && m.at < lastEnded).length;
    const ended = sent.filter((m) => m.type === 'LIVE_ENDED').length;
    const rejected = received.requests.filter((r) => r.errorCode !== 0).length;
    // A repeat (same Random) is a redelivery: IM drops it, but it spent a call of the rate.
    const repeats = received.duplicates;
    return [
      row(
        `5. IM drain rate, ${fmt(ENDINGS)} endings + ${fmt(INTERRUPTIONS)} interruptions, 2 replicas, IM answers in 50 ms`,
        `${fmt(drainRate, 1)} msg/s (${fmt(sent.length)} in ${fmt(drainS, 1)} s; ${ended} ended; ${repeats} repeats${rejected ? `; ${rejected} calls refused` : ''})`,
        `≥ 95% of ${RATE}/s = ${fmt(RATE * 0.95)}/s`, drainRate / RATE, drainRate >= RATE * 0.95 && sent.length === total,
      ),
      row('5. IM calls in the busiest 1 s window', `${busiest}`, `≤ ${RATE}`, busiest / RATE, busiest <= RATE),
      row('5. interrupted notices sent before the last ended one', `${interruptedFirst} of ${INTERRUPTIONS}`, '0 (ended first)', null, interruptedFirst === 0),
    ];
  } finally {
    await Promise.all(replicas.map((r) => r.stop()));
    await bench.redis.quit();
    im.stop();
    await redis.destroy();
  }
}

/** bench/support/fake-im-process.ts as a child process, asked over IPC. */
class FakeImProcess {
  private constructor(
    readonly url: string,
    private readonly child: ReturnType<typeof fork>,
  ) {}

  static async start(env: Record<string, string>): Promise<FakeImProcess> {
    const child = fork(join(__dirname, 'support', 'fake-im-process.ts'), [], {
      env: { ...process.env, ...env },
      execArgv: ['-r', 'ts-node/register/transpile-only'],
    });
    const { url } = await FakeImProcess.next<{ url: string }>(child, 'url');
    return new FakeImProcess(url, child);
  }

  private static next<T>(child: ReturnType<typeof fork>, field: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: any) => {
        if (!(field in message)) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message);
      };
      const onExit = (code: number) => reject(new Error(`fake IM process exited (${code})`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  }

  async count(): Promise<number> {
    const answer = FakeImProcess.next<{ count: number }>(this.child, 'count');
    this.child.send('count');
    return (await answer).count;
  }

  async report(): Promise<FakeImReport> {
    const answer = FakeImProcess.next<{ report: FakeImReport }>(this.child, 'report');
    this.child.send('report');
    return (await answer).report;
  }

  stop(): void {
    this.child.kill('SIGKILL');
  }
}

if (require.main === module) {
  runDelivery().then(
    (rows) => console.log(`${SMOKE ? '(smoke) ' : ''}\n${formatTable(rows)}`),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
