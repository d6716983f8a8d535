import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TcpProxy } from '../test/support/tcp-proxy';
import { join } from 'node:path';
import { ensureBuilt } from './support/build';
import { scale, sleep } from './support/options';
import { startRedis, usedMemory } from './support/redis';
import { ChildServer } from './support/service';
import { benchStore, redisNow } from './support/store';
import { fmt, printWhenRun, Row, row } from './support/table';
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
/** Endings of the figures with Redis farther away (5b): 10 s of calls at the rate. */
const RTT_ENDINGS = scale(2000, 300);
const BENCH_WEBHOOK_SECRET = `whsec_${Buffer.from('bench-webhook-secret-0123456789ab').toString('base64')}`;
const RATE = 200;
const SDKAPPID = 1400000001;
const KEY = 'bench-im-secret-key-0123456789abcdef';

export async function runDelivery(): Promise<Row[]> {
  ensureBuilt();
  // BENCH_ONLY=5|5b|5c runs one figure (while tuning).
  if (process.env.BENCH_ONLY === '5c') return runViewersWhileBackendDown();
  if (process.env.BENCH_ONLY === '5d') return runOutboxMemory();
  if (process.env.BENCH_ONLY === '5b')
    return [
      ...(await runBurst({ endings: RTT_ENDINGS, interruptions: 0, rttMs: 25, label: '5b.' })),
      ...(await runBurst({ endings: RTT_ENDINGS, interruptions: 0, rttMs: 50, label: '5b.' })),
    ];
  if (process.env.BENCH_ONLY === '5') return runBurst({ endings: ENDINGS, interruptions: INTERRUPTIONS, rttMs: 0, label: '5.' });
  return [
    ...(await runBurst({ endings: ENDINGS, interruptions: INTERRUPTIONS, rttMs: 0, label: '5.' })),
    ...(await runBurst({ endings: RTT_ENDINGS, interruptions: 0, rttMs: 25, label: '5b.' })),
    ...(await runBurst({ endings: RTT_ENDINGS, interruptions: 0, rttMs: 50, label: '5b.' })),
    ...(await runViewersWhileBackendDown()),
    ...(await runOutboxMemory()),
  ];
}

/**
 * What the outbox costs in Redis memory: an event kept in a shard's stream (OUTBOX_RETENTION_MS of history, and
 * whatever a lane has not finished), and an entry read by a lane and not finished (its pending-entries list: at
 * most DELIVERY_CONCURRENCY per replica and lane, plus the events parked behind them). Events shaped as the
 * service writes them, with ids of the same length; two lanes (the IM channel and one webhook URL).
 */
async function runOutboxMemory(): Promise<Row[]> {
  const EVENTS = scale(20000, 2000);
  const redis = await startRedis();
  const bench = benchStore(redis.url, { SHARDS: 16 });
  try {
    const { redis: client, keys } = bench;
    const key = keys.outbox(0);
    await client.xgroup('CREATE', key, 'tencent-im', '$', 'MKSTREAM');
    await client.xgroup('CREATE', key, 'webhook-1a2b3c4d', '$');
    const before = await usedMemory(client);
    for (let i = 0; i < EVENTS; i += 1000) {
      const pipeline = client.pipeline();
      for (let j = i; j < Math.min(EVENTS, i + 1000); j++) {
        const ended = j % 2 === 1;
        const live = `live-${100000 + (j >> 1)}`;
        pipeline.xadd(
          key,
          '*',
          'event',
          JSON.stringify({
            id: `${live}:${ended ? 2 : 1}:9b41f07ce3d8${j % 10}`,
            type: ended ? 'live.ended' : 'live.started',
            seq: ended ? 2 : 1,
            roomId: `room-${100000 + (j >> 1)}`,
            liveId: live,
            anchorId: `anchor-${100000 + (j >> 1)}`,
            groupId: `room-${100000 + (j >> 1)}`,
            reason: ended ? 'timeout' : undefined,
            at: 1796022000000 + j,
            deadline: ended ? 1796021999000 + j : undefined,
          }),
        );
      }
      await pipeline.exec();
    }
    const kept = await usedMemory(client);
    await client.xreadgroup('GROUP', 'webhook-1a2b3c4d', 'bench', 'COUNT', EVENTS, 'STREAMS', key, '>');
    const pending = await usedMemory(client);
    const perEvent = (kept - before) / EVENTS;
    const perPending = (pending - kept) / EVENTS;
    // 1,000 lives a minute write at least 2,000 events a minute (started, ended).
    const hourPerThousandLivesPerMin = (perEvent * 2000 * 60) / 1e6;
    return [
      row(
        '5d. outbox memory per event kept (history and backlog), per entry in delivery',
        `${fmt(perEvent)} B; ${fmt(perPending)} B more while a lane holds it`,
        'measured',
        null,
        null,
      ),
      row(
        '5d. 1 h of backlog (or of history) at 1,000 lives/min (2,000 events/min)',
        `${fmt(hourPerThousandLivesPerMin, 1)} MB`,
        'measured',
        null,
        null,
      ),
    ];
  } finally {
    await bench.redis.quit();
    await redis.destroy();
  }
}

/** Endings (and interruptions) written due at one instant, delivered by 2 replicas `rttMs` (round trip) away from Redis. */
async function runBurst(options: { endings: number; interruptions: number; rttMs: number; label: string }): Promise<Row[]> {
  const { endings: ENDINGS, interruptions: INTERRUPTIONS, rttMs, label } = options;
  const redis = await startRedis();
  // Each direction gets half the round trip; the benchmark's own writes go straight to Redis.
  const proxy = rttMs > 0 ? await TcpProxy.start(redis.port, rttMs / 2) : null;
  // Every answer takes 50 ms. When the fake's process stalls (a busy machine), calls queue in its sockets and are
  // counted in one bunch when it wakes up; verbose runs list those stalls next to the busiest window.
  const im = await FakeImProcess.start({
    IM_SDKAPPID: String(SDKAPPID),
    IM_KEY: KEY,
    IM_ANSWERS: String((ENDINGS + INTERRUPTIONS) * 2),
    IM_DELAY_MS: '50',
  });
  const bench = benchStore(redis.url, { SHARDS: 16 });
  const replicas: ChildServer[] = [];
  try {
    const env = {
      AUTH_MODE: 'none',
      REDIS_URL: proxy ? proxy.url : redis.url,
      NOTIFIERS: 'tencent-im',
      TENCENT_IM_SDKAPPID: String(SDKAPPID),
      TENCENT_IM_SECRET_KEY: KEY,
      TENCENT_IM_BASE_URL: im.url,
      TENCENT_IM_RATE_PER_SEC: String(RATE),
      DELIVERY_CONCURRENCY: '5000',
      // A burst of silence-endings is what the mass-timeout guard exists to hold; this figure measures delivery.
      GUARD_ENABLED: 'false',
    };
    // BENCH_CPU_PROF=<dir>: each replica writes a V8 CPU profile there when it stops.
    const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    replicas.push(await ChildServer.service(env, profile), await ChildServer.service(env, profile));

    // All lives fall due at the same instant, 2 s from now: endings are past their timeout by then,
    // interruptions past their suspect point but far from their (long) timeout.
    const dueAt = (await redisNow(bench.redis)) + 2000;
    await writeLives(bench, ENDINGS + INTERRUPTIONS, (i) => ({ dueAt, ending: i < ENDINGS }), `${label}${rttMs}`);

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
      for (const at of calls)
        perSecond.set(Math.floor((at - calls[0]) / 1000), (perSecond.get(Math.floor((at - calls[0]) / 1000)) ?? 0) + 1);
      process.stderr.write(`${label} ${rttMs} ms: IM calls per second: ${[...perSecond.values()].join(' ')}\n`);
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
    const drainS = sent.length > 1 ? (sent[sent.length - 1].at - sent[0].at) / 1000 : Infinity;
    const drainRate = (sent.length - 1) / drainS;
    const ended = sent.filter((m) => m.type === 'LIVE_ENDED').length;
    const rejected = received.requests.filter((r) => r.errorCode !== 0).length;
    // A repeat (same Random) is a redelivery: IM drops it, but it spent a call of the rate.
    const repeats = received.duplicates;
    const where = rttMs > 0 ? `${rttMs} ms round trip to Redis` : 'IM answers in 50 ms';
    const target = rttMs > 0 ? 0.9 : 0.95;
    const rows = [
      row(
        `${label} IM drain rate, ${fmt(ENDINGS)} endings${INTERRUPTIONS ? ` + ${fmt(INTERRUPTIONS)} interruptions` : ''}, 2 replicas, ${where}`,
        `${fmt(drainRate, 1)} msg/s (${fmt(sent.length)} in ${fmt(drainS, 1)} s; ${ended} ended; ${repeats} repeats${rejected ? `; ${rejected} calls refused` : ''})`,
        `≥ ${target * 100}% of ${RATE}/s = ${fmt(RATE * target)}/s`,
        drainRate / RATE,
        drainRate >= RATE * target && sent.length === total,
      ),
      row(
        `${label} IM calls in the busiest 1 s window${rttMs > 0 ? `, ${rttMs} ms to Redis` : ''}`,
        `${busiest}`,
        `≤ ${RATE}`,
        busiest / RATE,
        busiest <= RATE,
      ),
    ];
    if (INTERRUPTIONS > 0) {
      const lastEnded = Math.max(...sent.filter((m) => m.type === 'LIVE_ENDED').map((m) => m.at));
      const interruptedFirst = sent.filter((m) => m.type === 'LIVE_INTERRUPTED' && m.at < lastEnded).length;
      rows.push(
        row(
          `${label} interrupted notices sent before the last ended one`,
          `${interruptedFirst} of ${INTERRUPTIONS}`,
          '0 (ended first)',
          null,
          interruptedFirst === 0,
        ),
      );
    }
    return rows;
  } finally {
    await Promise.all(replicas.map((r) => r.stop()));
    await bench.redis.quit();
    im.stop();
    await proxy?.close();
    await redis.destroy();
  }
}

/**
 * 1,000 lives fall silent over 10 s (100 endings/s, half the IM rate) while the business backend answers 503 to
 * every webhook: viewers' LIVE_ENDED latency, from the ending (event `at`) to the call reaching IM, must not
 * notice the backend's outage (each destination is a lane of its own).
 */
async function runViewersWhileBackendDown(): Promise<Row[]> {
  const ENDINGS_DOWN = scale(1000, 100);
  const SPREAD_MS = scale(10000, 2000);
  const redis = await startRedis();
  const im = await FakeImProcess.start({ IM_SDKAPPID: String(SDKAPPID), IM_KEY: KEY, IM_ANSWERS: '0', IM_DELAY_MS: '0' });
  const refusing = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(503, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
  const bench = benchStore(redis.url, { SHARDS: 16 });
  const replicas: ChildServer[] = [];
  try {
    const env = {
      AUTH_MODE: 'none',
      REDIS_URL: redis.url,
      NOTIFIERS: process.env.BENCH_5C_NOTIFIERS ?? 'webhook,tencent-im',
      WEBHOOK_URLS: `http://127.0.0.1:${(refusing.address() as AddressInfo).port}/hooks`,
      WEBHOOK_SECRET: BENCH_WEBHOOK_SECRET,
      TENCENT_IM_SDKAPPID: String(SDKAPPID),
      TENCENT_IM_SECRET_KEY: KEY,
      TENCENT_IM_BASE_URL: im.url,
      TENCENT_IM_RATE_PER_SEC: String(RATE),
      GUARD_ENABLED: 'false',
      // BENCH_5C_CONCURRENCY / BENCH_5C_BACKOFF: how the failing webhook lane's retries weigh on the replicas' CPU.
      ...(process.env.BENCH_5C_CONCURRENCY ? { DELIVERY_CONCURRENCY: process.env.BENCH_5C_CONCURRENCY } : {}),
      ...(process.env.BENCH_5C_BACKOFF ? { DELIVERY_BACKOFF_MS: process.env.BENCH_5C_BACKOFF } : {}),
    };
    replicas.push(await ChildServer.service(env), await ChildServer.service(env));
    const firstDue = (await redisNow(bench.redis)) + 2000;
    await writeLives(bench, ENDINGS_DOWN, (i) => ({ dueAt: firstDue + Math.floor((i * SPREAD_MS) / ENDINGS_DOWN), ending: true }), 'down');
    const giveUpAt = Date.now() + 2000 + SPREAD_MS + 30000;
    while ((await im.count()) < ENDINGS_DOWN && Date.now() < giveUpAt) await sleep(250);
    const received = await im.report();
    if (process.env.BENCH_VERBOSE) {
      const byTime = received.messages.slice().sort((a, b) => a.eventAt - b.eventAt);
      process.stderr.write(`5c: (event at → IM) ${byTime.map((m) => `${m.eventAt - byTime[0].eventAt}:${m.at - m.eventAt}`).join(' ')}\n`);
    }
    const latencies = received.messages
      .filter((m) => m.type === 'LIVE_ENDED')
      .map((m) => m.at - m.eventAt)
      .sort((a, b) => a - b);
    const p99 = latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))] ?? Infinity;
    const p50 = latencies[Math.floor(latencies.length / 2)] ?? Infinity;
    return [
      row(
        `5c. viewers' LIVE_ENDED latency p99 while the webhook receiver answers 503, ${fmt(ENDINGS_DOWN)} endings over ${SPREAD_MS / 1000} s, 2 replicas`,
        `${fmt(p99)} ms (p50 ${fmt(p50)} ms; ${latencies.length} of ${ENDINGS_DOWN} at IM)`,
        '< 2,000 ms',
        p99 / 2000,
        p99 < 2000 && latencies.length === ENDINGS_DOWN,
      ),
    ];
  } finally {
    await Promise.all(replicas.map((r) => r.stop()));
    await bench.redis.quit();
    im.stop();
    refusing.closeAllConnections();
    refusing.close();
    await redis.destroy();
  }
}

/** Writes `count` running lives straight into the store (a pipeline), due when `plan` says: endings past their timeout. */
async function writeLives(
  bench: ReturnType<typeof benchStore>,
  count: number,
  plan: (i: number) => { dueAt: number; ending: boolean },
  tag: string,
): Promise<void> {
  const { redis: client, keys } = bench;
  const pipeline = client.pipeline();
  for (let i = 0; i < count; i++) {
    const roomId = `room-${tag}-${i}`;
    const { dueAt, ending } = plan(i);
    const lastHeartbeatAt = ending ? dueAt - 30000 : dueAt - 12000;
    pipeline.hset(
      keys.rooms(keys.shardOf(roomId)),
      roomId,
      encodeRunningRecord({
        roomId,
        liveId: `live-${tag}-${i}`,
        anchorId: `anchor-${tag}-${i}`,
        startedAt: dueAt - 60000,
        lastHeartbeatAt,
        timeoutMs: ending ? 20000 : 300000,
        suspectMs: 10000,
        seq: 1,
      }),
    );
    pipeline.zadd(keys.due(keys.shardOf(roomId)), dueAt, roomId);
  }
  await pipeline.exec();
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

if (require.main === module) printWhenRun(runDelivery);
