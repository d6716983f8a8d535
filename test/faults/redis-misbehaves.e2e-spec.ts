// Issue 12 points 2-5 and issue 14 point 5: what anchors, viewers (the notices) and the backend (webhooks) see
// when a real redis-server hangs, fills up, evicts, holds another layout, or is not there at start-up.
import type Redis from 'ioredis';
import { AnchorFleet, BeatResult, heartbeat } from '../support/anchor-fleet';
import { freePort } from '../support/free-port';
import { sampleValue } from '../support/prometheus-text';
import { RedisServer } from '../support/redis-server';
import { ServiceProcess } from '../support/service-process';
import { ServiceRun } from '../support/service-run';
import { startTestApp, TestApp } from '../support/test-app';
import { sleep, waitFor } from '../support/wait-for';
import { WEBHOOK_SECRET, WebhookReceiver } from '../support/webhook-receiver';

/** Timings long enough that only a fault of the service (not of the busy test machine) would end a beating live. */
const TIMINGS = {
  HEARTBEAT_TIMEOUT_MS: '3000',
  SUSPECT_AFTER_MS: '1500',
  HEARTBEAT_INTERVAL_MS: '200',
  TIMEOUT_MIN_MS: '1000',
  SWEEP_INTERVAL_MS: '100',
  SWEEP_GAP_MS: '1000',
};
const BEAT_EVERY_MS = 200;
const STACK_LINE = /^\s+at /m;

const webhookTo = (receiver: WebhookReceiver) => ({ NOTIFIERS: 'webhook', WEBHOOK_URLS: receiver.url, WEBHOOK_SECRET });
const lines = (text: string, pattern: RegExp) => text.split('\n').filter((line) => pattern.test(line));
/** The last line a failed start printed (the one-line reason on stderr). */
const lastLine = (text: string) => text.trim().split('\n').pop() ?? '';

/** Notices a beating live must never get: interrupted or ended. */
function falseNotices(receiver: WebhookReceiver, fleet: AnchorFleet): unknown[] {
  const rooms = new Set(Array.from({ length: fleet.size }, (_, anchor) => fleet.roomId(anchor)));
  return receiver.events().filter((e) => rooms.has(e.roomId) && (e.type === 'live.interrupted' || e.type === 'live.ended'));
}

describe('Redis hung (SIGSTOP) for 3 s, then continued', () => {
  const COMMAND_TIMEOUT_MS = 300;
  let redis: RedisServer;
  let receiver: WebhookReceiver;
  let svc: ServiceProcess;
  let fleet: AnchorFleet;

  beforeAll(async () => {
    redis = await RedisServer.start();
    receiver = await WebhookReceiver.start();
    svc = await ServiceProcess.start({
      REDIS_URL: redis.url,
      ...webhookTo(receiver),
      ...TIMINGS,
      REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS),
      LOG_LEVEL: 'info',
    });
  });

  afterAll(async () => {
    await fleet?.stop();
    await svc?.stop();
    await receiver?.close();
    await redis?.destroy();
  });

  it('answers beats and /readyz 503 within the command timeout, logs the failing sweeps and outbox reads once, and resumes with no false notice', async () => {
    fleet = new AnchorFleet(10, () => svc.url, BEAT_EVERY_MS, 'hung');
    fleet.start();
    await waitFor(() => receiver.events({ type: 'live.started' }).length === 10, 15000, 'all lives started');

    redis.signal('SIGSTOP');
    const stoppedAt = Date.now();
    const fromStop = fleet.results.length;
    const probeStart = Date.now();
    const readiness = (await fetch(`${svc.url}/readyz`)).status;
    const readinessMs = Date.now() - probeStart;
    // Hung for longer than the silent-connection limit (2 s), so the reconnect path is taken too.
    await waitFor(() => Date.now() - stoppedAt >= 3000 && fleet.results.length - fromStop >= 50, 20000, 'beats during the stall');
    const during: BeatResult[] = fleet.results.slice(fromStop);
    redis.signal('SIGCONT');

    const fromResume = fleet.results.length;
    await waitFor(() => fleet.results.slice(fromResume).filter((r) => r.status === 200).length >= 30, 20000, 'beats accepted again');
    await waitFor(async () => (await fetch(`${svc.url}/readyz`)).status === 200, 10000, 'ready again');
    await waitFor(() => lines(svc.output, /sweeps succeed again after/).length > 0, 10000, 'sweeps resumed');
    await waitFor(() => lines(svc.output, /outbox reads succeed again after/).length > 0, 10000, 'outbox reads resumed');
    await sleep(3500); // longer than HEARTBEAT_TIMEOUT_MS, the anchors beating: no live may end

    expect([readiness, readinessMs < 1000]).toEqual([503, true]);
    const refused = during.filter((r) => r.status === 503);
    expect(refused.length).toBeGreaterThan(40);
    expect(during.filter((r) => r.status !== 503 && r.status !== 200)).toEqual([]); // 200: a beat answered just before the stop
    expect(refused.every((r) => r.retryAfter === '1')).toBe(true);
    expect(Math.max(...during.map((r) => r.ms))).toBeLessThan(1000); // bounded: the command timeout plus a little
    expect(lines(svc.output, /sweeps failing/)).toHaveLength(1);
    expect(lines(svc.output, /sweeps succeed again after/)).toHaveLength(1);
    // One delivery lane (the webhook URL): its failing reads are logged once, not once a second.
    expect(lines(svc.output, /outbox reads failing/)).toHaveLength(1);
    expect(lines(svc.output, /outbox reads succeed again after/)).toHaveLength(1);
    expect(falseNotices(receiver, fleet)).toEqual([]);
    for (let anchor = 0; anchor < fleet.size; anchor++) {
      const room = (await (await fetch(`${svc.url}/v1/rooms/${fleet.roomId(anchor)}`)).json()) as { state: string };
      expect(room.state).toBe('live');
    }
  });
});

describe('Redis full under maxmemory-policy noeviction', () => {
  let client: Redis | undefined;
  let redis: RedisServer;
  let receiver: WebhookReceiver;
  let svc: TestApp;
  let fleet: AnchorFleet;

  beforeAll(async () => {
    redis = await RedisServer.start(['--maxmemory-policy', 'noeviction']);
    receiver = await WebhookReceiver.start();
    svc = await startTestApp({ REDIS_URL: redis.url, ...webhookTo(receiver), ...TIMINGS });
  });

  afterAll(async () => {
    client?.disconnect();
    await fleet?.stop();
    await svc?.close();
    await receiver?.close();
    await redis?.destroy();
  });

  it('refuses beats with 503 + Retry-After (never 500), counts out_of_memory, and resumes when Redis has room', async () => {
    const url = svc.url.replace('[::1]', '127.0.0.1');
    fleet = new AnchorFleet(5, () => url, BEAT_EVERY_MS, 'full');
    fleet.start();
    await waitFor(() => receiver.events({ type: 'live.started' }).length === 5, 15000, 'all lives started');

    // Redis reaches maxmemory (here: another writer's data fills the last 1 MB) and refuses every write.
    client = redis.client();
    const used = Number(/used_memory:(\d+)/.exec(await client.info('memory'))![1]);
    await client.config('SET', 'maxmemory', String(used + 1024 * 1024));
    let fillers = 0;
    while (fillers < 100 && (await client.set(`filler:${fillers}`, 'x'.repeat(32 * 1024)).catch(() => null))) fillers++;
    // At the limit, a write is refused or not by a few bytes: settle it well below what is used, as once it has
    // grown on. Well below: Redis frees client buffers it no longer needs a few seconds later (100 kB seen).
    const full = Number(/used_memory:(\d+)/.exec(await client.info('memory'))![1]);
    await client.config('SET', 'maxmemory', String(full - 256 * 1024));
    const fromFull = fleet.results.length;
    const newLive = await heartbeat(url, 'full-new-room', 'full-new-live', 'full-new-anchor');
    // Full for longer than SUSPECT_AFTER_MS: the beats are lost, as in an outage.
    await waitFor(() => fleet.results.slice(fromFull).filter((r) => r.status === 503).length >= 50, 15000, 'beats refused while full');
    const whileFull = [newLive, ...fleet.results.slice(fromFull)];
    const metrics = (await svc.get('/metrics')).body as string;

    await client.del(...Array.from({ length: fillers }, (_, i) => `filler:${i}`));
    const fromRoom = fleet.results.length;
    await waitFor(() => fleet.results.slice(fromRoom).filter((r) => r.status === 200).length >= 20, 10000, 'beats accepted again');
    await sleep(3500); // longer than HEARTBEAT_TIMEOUT_MS, the anchors beating

    expect(newLive.status).toBe(503);
    expect(whileFull.filter((r) => r.status !== 200 && r.status !== 503)).toEqual([]); // 200: beats answered as it filled
    expect(whileFull.filter((r) => r.status === 503).every((r) => r.retryAfter === '1')).toBe(true);
    expect(sampleValue(metrics, 'led_redis_errors_total', { source: 'request', kind: 'out_of_memory' })).toBeGreaterThanOrEqual(50);
    expect(sampleValue(metrics, 'led_redis_errors_total', { source: 'sweep', kind: 'out_of_memory' })).toBeGreaterThan(0);
    expect(falseNotices(receiver, fleet)).toEqual([]);
    for (let anchor = 0; anchor < fleet.size; anchor++)
      expect((await svc.get(`/v1/rooms/${fleet.roomId(anchor)}`)).body.state).toBe('live');
  });
});

describe('maxmemory-policy that evicts (volatile-lru, a common managed-Redis default)', () => {
  let redis: RedisServer;
  let run: ServiceRun | undefined;

  beforeAll(async () => {
    redis = await RedisServer.start(['--maxmemory', '64mb', '--maxmemory-policy', 'volatile-lru']);
  });

  afterEach(async () => run?.kill());
  afterAll(async () => redis?.destroy());

  it('stops start-up with one line naming the policy and what to set, and writes nothing', async () => {
    run = new ServiceRun({ REDIS_URL: redis.url, PORT: String(await freePort()) });
    const exit = await run.exited;
    expect(exit.code).toBe(1);
    const reason = lastLine(run.output);
    expect(reason).toContain('maxmemory-policy volatile-lru');
    expect(reason).toContain('Set maxmemory-policy noeviction');
    expect(reason).toContain('REDIS_ALLOW_EVICTION=true');
    expect(run.output).not.toMatch(STACK_LINE);
    expect(await redis.keys('*')).toEqual([]);
  });

  it('starts with REDIS_ALLOW_EVICTION=true, warning loudly', async () => {
    run = new ServiceRun({ REDIS_URL: redis.url, PORT: String(await freePort()), REDIS_ALLOW_EVICTION: 'true', LOG_LEVEL: 'info' });
    await run.waitForOutput(/listening on/);
    expect(lines(run.output, /"level":40.*REDIS_ALLOW_EVICTION=true: Redis .* has maxmemory-policy volatile-lru/)).toHaveLength(1);
  });
});

describe('maxmemory-policy changed under a running service (e.g. on a promoted replica)', () => {
  let redis: RedisServer;
  let client: Redis | undefined;
  let run: ServiceRun | undefined;

  afterAll(async () => {
    client?.disconnect();
    await run?.kill();
    await redis?.destroy();
  });

  it('is reported as an error line when the service reconnects', async () => {
    redis = await RedisServer.start();
    run = new ServiceRun({ REDIS_URL: redis.url, PORT: String(await freePort()), LOG_LEVEL: 'info' });
    await run.waitForOutput(/listening on/);
    client = redis.client();
    await client.config('SET', 'maxmemory-policy', 'allkeys-lru');
    await client.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    await run.waitForOutput(/"level":50.*after reconnecting: .*has maxmemory-policy allkeys-lru.*Set maxmemory-policy noeviction/);
  });
});

describe('a replica started with another SHARDS or on data in an unknown layout', () => {
  let client: Redis | undefined;
  let redis: RedisServer;
  let receiver: WebhookReceiver;
  let svc: ServiceProcess;
  let fleet: AnchorFleet;

  beforeAll(async () => {
    redis = await RedisServer.start();
    receiver = await WebhookReceiver.start();
    svc = await ServiceProcess.start({ REDIS_URL: redis.url, ...webhookTo(receiver), ...TIMINGS, SHARDS: '16' });
  });

  afterAll(async () => {
    client?.disconnect();
    await fleet?.stop();
    await svc?.stop();
    await receiver?.close();
    await redis?.destroy();
  });

  it('refuses to start, saying which SHARDS the data has and what to do; the running replica goes on with no false notice', async () => {
    fleet = new AnchorFleet(20, () => svc.url, BEAT_EVERY_MS, 'shards');
    fleet.start();
    await waitFor(() => receiver.events({ type: 'live.started' }).length === 20, 15000, 'all lives started');
    const fromRedeploy = fleet.results.length;

    // A rolling update brings up replicas with another shard count next to the running one; and data of another
    // layout version (a newer release wrote it) under a prefix of its own.
    client = redis.client();
    await client.set('newer:{meta}:layout', JSON.stringify({ layout: 99, shards: 16, since: new Date().toISOString() }));
    const runs = [];
    // One after the other: starting three processes at once would starve the anchors on a 2-core machine.
    for (const setting of [{ SHARDS: '32' }, { SHARDS: '8' }, { REDIS_KEY_PREFIX: 'newer' }] as Array<Record<string, string>>) {
      const run = new ServiceRun({ REDIS_URL: redis.url, ...webhookTo(receiver), ...TIMINGS, ...setting, PORT: String(await freePort()) });
      runs.push({ exit: await run.exited, reason: lastLine(run.output), output: run.output });
    }
    for (const run of runs) {
      expect(run.exit.code).toBe(1);
      expect(run.output).not.toMatch(STACK_LINE);
    }
    for (const [i, shards] of ['32', '8'].entries()) {
      expect(runs[i].reason).toContain(`SHARDS=${shards}, but the data in Redis is spread over 16 shards`);
      expect(runs[i].reason).toContain('set SHARDS=16');
    }
    expect(runs[2].reason).toMatch(/in layout 99, this version reads layout \d+: it was written by a newer live-end-detector/);

    await sleep(3500); // longer than HEARTBEAT_TIMEOUT_MS, the anchors beating
    expect(fleet.results.slice(fromRedeploy).filter((r) => r.status !== 200)).toEqual([]);
    expect(falseNotices(receiver, fleet)).toEqual([]);
    expect(JSON.parse((await client.get('led:{meta}:layout'))!)).toMatchObject({ layout: expect.any(Number), shards: 16 });
  });

  it('records the layout again when Redis restarts empty under a running replica, so another SHARDS is still refused', async () => {
    client?.disconnect();
    await redis.restartEmpty();
    client = redis.client();
    const recorded = () => client!.get('led:{meta}:layout').catch(() => null);
    await waitFor(recorded, 15000, 'the running replica to record its layout again');
    expect(JSON.parse((await recorded())!)).toMatchObject({ shards: 16 });
    const run = new ServiceRun({ REDIS_URL: redis.url, ...webhookTo(receiver), ...TIMINGS, SHARDS: '32', PORT: String(await freePort()) });
    expect((await run.exited).code).toBe(1);
    expect(lastLine(run.output)).toContain('SHARDS=32, but the data in Redis is spread over 16 shards');
  });

  it('records the layout again after a FLUSHALL, which drops no connection', async () => {
    await waitFor(() => client!.get('led:{meta}:layout'), 15000, 'a layout record');
    await client!.flushall();
    await waitFor(() => client!.get('led:{meta}:layout'), 15000, 'the running replica to record its layout again');
    const run = new ServiceRun({ REDIS_URL: redis.url, ...webhookTo(receiver), ...TIMINGS, SHARDS: '8', PORT: String(await freePort()) });
    expect((await run.exited).code).toBe(1);
    expect(lastLine(run.output)).toContain('SHARDS=8, but the data in Redis is spread over 16 shards');
  });
});

describe('Redis not reachable at start-up', () => {
  let run: ServiceRun | undefined;
  let redis: RedisServer | undefined;

  afterEach(async () => {
    await run?.kill();
    await redis?.destroy();
  });

  it('retries with a progress line naming the host (never the password), then exits with one line after REDIS_STARTUP_TIMEOUT_MS', async () => {
    const redisPort = await freePort();
    run = new ServiceRun({
      REDIS_URL: `redis://:s3cret-pa55word@127.0.0.1:${redisPort}`,
      REDIS_STARTUP_TIMEOUT_MS: '1500',
      PORT: String(await freePort()),
      LOG_LEVEL: 'info',
    });
    const exit = await run.exited;
    expect(exit.code).toBe(1);
    expect(lines(run.output, new RegExp(`127\\.0\\.0\\.1:${redisPort}.* not reachable yet .*retrying`)).length).toBeGreaterThan(0);
    expect(lastLine(run.output)).toMatch(
      new RegExp(
        `^Redis \\(standalone redis://127\\.0\\.0\\.1:${redisPort}/0\\) not reachable within 1500 ms \\(REDIS_STARTUP_TIMEOUT_MS\\): .*ECONNREFUSED`,
      ),
    );
    expect(run.output).not.toContain('s3cret-pa55word');
    expect(run.output).not.toMatch(STACK_LINE);
  });

  it('starts as soon as Redis comes up within the limit', async () => {
    redis = await RedisServer.start();
    await redis.stop();
    const port = await freePort();
    run = new ServiceRun({ REDIS_URL: redis.url, REDIS_STARTUP_TIMEOUT_MS: '30000', PORT: String(port), LOG_LEVEL: 'info' });
    await run.waitForOutput(/not reachable yet/);
    await redis.launch();
    await run.waitForOutput(/listening on/);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
  });
});
