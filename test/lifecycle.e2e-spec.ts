/**
 * What the people who run the service see when it starts and stops (issue 14, points 2, 4 and 5): configuration
 * errors in one line, a busy port named, where it listens and which Redis it reached, settings derived from others,
 * and a shutdown that no client can stretch past SHUTDOWN_TIMEOUT_MS.
 */
import { Agent, request } from 'node:http';
import { connect, createServer, Server, Socket } from 'node:net';
import { freePort } from './support/free-port';
import { RedisServer } from './support/redis-server';
import { ServiceRun } from './support/service-run';
import { startTestApp, TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';

/** Settings FAST_TIMINGS fixes, unset so that the service derives them from HEARTBEAT_TIMEOUT_MS. */
const DERIVED_TIMINGS = {
  SUSPECT_AFTER_MS: '',
  HEARTBEAT_INTERVAL_MS: '',
  TIMEOUT_MIN_MS: '',
  TIMEOUT_MAX_MS: '',
  HEARTBEAT_RATE_PER_SEC: '',
};

/** A raw connection that sends `text` and then nothing; resolves what came back once the server closed it. */
function stall(port: number, text: string): { socket: Socket; closed: Promise<{ reply: string; afterMs: number }> } {
  const socket = connect(port, '127.0.0.1');
  const startedAt = Date.now();
  let reply = '';
  socket.on('data', (chunk) => (reply += chunk));
  socket.on('error', () => undefined);
  socket.write(text);
  const closed = new Promise<{ reply: string; afterMs: number }>((resolve) =>
    socket.on('close', () => resolve({ reply, afterMs: Date.now() - startedAt })),
  );
  return { socket, closed };
}

const PARTIAL_BODY =
  'POST /v1/rooms/r1/heartbeat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"liveId":"l';
const PARTIAL_HEAD = 'POST /v1/rooms/r1/heartbeat HTTP/1.1\r\nHost: x\r\nContent-Ty';

let redis: RedisServer;
const runs: ServiceRun[] = [];
const run = (env: Record<string, string>) => {
  const r = new ServiceRun(env);
  runs.push(r);
  return r;
};

beforeAll(async () => {
  redis = await RedisServer.start();
});
afterEach(async () => {
  await Promise.all(runs.splice(0).map((r) => r.kill()));
});
afterAll(async () => {
  await redis?.destroy();
});

describe('start-up', () => {
  it('reports every invalid variable in one line, saying what each expects, and exits 1', async () => {
    const service = run({ REDIS_URL: redis.url, PORT: 'abc', HEARTBEAT_TIMEOUT_MS: 'abc', GUARD_ENABLED: 'maybe', NOTIFIERS: 'slack' });
    const exit = await service.exited;
    expect(exit.code).toBe(1);
    const lines = service.output.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Invalid configuration: /);
    expect(lines[0]).toContain('PORT must be an integer (got "abc")');
    expect(lines[0]).toContain('HEARTBEAT_TIMEOUT_MS must be an integer (got "abc")');
    expect(lines[0]).toContain('GUARD_ENABLED must be true or false');
    expect(lines[0]).toContain('NOTIFIERS must list only values among: log, webhook, tencent-im (got "slack")');
  });

  it('a busy port is one line naming PORT, and nothing claims to have started', async () => {
    const port = await freePort();
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      const service = run({ REDIS_URL: redis.url, PORT: String(port) });
      expect((await service.exited).code).toBe(1);
      expect(service.output.trim().split('\n')).toEqual([
        `Cannot listen: PORT ${port} is already in use on HOST 127.0.0.1 (another process listens there); stop it or set PORT to a free port`,
      ]);
    } finally {
      squatter.close();
    }
  });

  it('logs where it listens, which Redis it reached (never the password) and what it derived; one timing setting is enough', async () => {
    const port = await freePort();
    // Redis without a password: the client warns and goes on, so the URL may carry one for this test.
    const url = `redis://:hunter2-not-shown@127.0.0.1:${redis.port}/0`;
    const service = run({ REDIS_URL: url, PORT: String(port), LOG_LEVEL: 'info', HEARTBEAT_TIMEOUT_MS: '3000', ...DERIVED_TIMINGS });
    await service.waitForOutput(/listening on/);
    expect(service.output).toContain(
      `listening on http://127.0.0.1:${port} (HOST, PORT); Redis: standalone redis://127.0.0.1:${redis.port}/0, ready`,
    );
    expect(service.output).toContain('SUSPECT_AFTER_MS=1500 (half of HEARTBEAT_TIMEOUT_MS)');
    expect(service.output).toContain('HEARTBEAT_INTERVAL_MS=750 (a quarter of HEARTBEAT_TIMEOUT_MS)');
    expect(service.output).not.toContain('hunter2');
    // What an anchor app sees: the beat interval followed the one setting.
    const response = await fetch(`http://127.0.0.1:${port}/v1/rooms/derived-1/heartbeat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ liveId: 'live-1', anchorId: 'anchor-1' }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { nextHeartbeatInMs: number }).nextHeartbeatInMs).toBe(750);
  });
});

describe('request time-outs', () => {
  let svc: TestApp;
  let port: number;
  beforeAll(async () => {
    svc = await startTestApp({ REDIS_URL: redis.url, HTTP_REQUEST_TIMEOUT_MS: '1000', HTTP_HEADERS_TIMEOUT_MS: '500' });
    port = Number(new URL(svc.url).port);
  });
  afterAll(async () => {
    await svc?.close();
  });

  it('a body that stops half-way gets 408 and its connection closed after HTTP_REQUEST_TIMEOUT_MS', async () => {
    const { reply, afterMs } = await stall(port, PARTIAL_BODY).closed;
    expect(reply).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
    expect(afterMs).toBeGreaterThanOrEqual(900);
    // Checked once a second: 1000 ms, plus up to one check interval, plus a busy machine's delays.
    expect(afterMs).toBeLessThan(5000);
  });

  it('headers that stop half-way get 408 after HTTP_HEADERS_TIMEOUT_MS', async () => {
    const { reply, afterMs } = await stall(port, PARTIAL_HEAD).closed;
    expect(reply).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
    expect(afterMs).toBeGreaterThanOrEqual(400);
    expect(afterMs).toBeLessThan(5000);
  });
});

describe('SIGTERM', () => {
  it('ends within SHUTDOWN_TIMEOUT_MS even while clients hold requests open, cutting them and exiting 1', async () => {
    const port = await freePort();
    // Request time-outs far beyond the shutdown bound: only SHUTDOWN_TIMEOUT_MS can end these requests.
    const service = run({
      REDIS_URL: redis.url,
      PORT: String(port),
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: '1500',
      HTTP_REQUEST_TIMEOUT_MS: '600000',
      HTTP_HEADERS_TIMEOUT_MS: '600000',
    });
    await service.waitForOutput(/listening on/);
    const stalled = [stall(port, PARTIAL_BODY), stall(port, PARTIAL_HEAD)];
    // Both requests have reached the server (it counts them as connections) before the signal.
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).ok);
    const exit = await service.stop('SIGTERM');
    expect(exit.code).toBe(1);
    expect(service.output).toContain('shutdown exceeded SHUTDOWN_TIMEOUT_MS (1500 ms): closing open connections and exiting');
    expect(exit.afterSignalMs).toBeGreaterThanOrEqual(1400);
    expect(exit.afterSignalMs).toBeLessThan(1500 + 2500);
    for (const s of stalled) await s.closed;
  });

  it('with keep-alive clients still beating and an empty outbox, exits 0 at once rather than after a time-out', async () => {
    const port = await freePort();
    const service = run({ REDIS_URL: redis.url, PORT: String(port), LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: '30000' });
    await service.waitForOutput(/listening on/);
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const beat = (i: number) =>
      new Promise<number>((resolve) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: `/v1/rooms/ka-${i}/heartbeat`,
            agent,
            headers: { 'content-type': 'application/json' },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', () => resolve(0));
        req.end(JSON.stringify({ liveId: `live-${i}`, anchorId: 'anchor-1' }));
      });
    let beating = true;
    const beaters = Array.from({ length: 8 }, async (_, i) => {
      while (beating) await beat(i);
    });
    await waitFor(async () => (await beat(99)) === 200);
    // Idle keep-alive connections too (opened, used once, left open).
    await Promise.all(Array.from({ length: 8 }, (_, i) => beat(100 + i)));
    const exit = await service.stop('SIGTERM');
    beating = false;
    await Promise.all(beaters);
    agent.destroy();
    expect(exit.code).toBe(0);
    // Well inside the 30 s bound: nothing waited for a keep-alive or request time-out.
    expect(exit.afterSignalMs).toBeLessThan(5000);
  });
});
