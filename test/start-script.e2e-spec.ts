/**
 * `npm start` (scripts/start.js) runs the service from a snapshot of dist/, so that `npm test`, whose pretest
 * rebuilds dist/ (deleting it first), never pulls the files from under a running service (issue 14, point 9).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './support/free-port';
import { RedisServer } from './support/redis-server';
import { waitFor } from './support/wait-for';

const ROOT = join(__dirname, '..');

describe('npm start (scripts/start.js)', () => {
  let redis: RedisServer;
  let start: ChildProcess | null = null;

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    if (start && start.exitCode === null) start.kill('SIGKILL');
    await redis?.destroy();
  });

  it('runs the service from its own copy of the build, outside dist/, and removes the copy when it stops', async () => {
    const port = await freePort();
    let output = '';
    start = spawn(process.execPath, [join(ROOT, 'scripts', 'start.js')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, REDIS_URL: redis.url, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    start.stdout!.on('data', (chunk) => (output += chunk));
    start.stderr!.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => start!.once('exit', (code) => resolve(code)));

    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.ok,
      30000,
      `the service on ${port}:\n${output}`,
    );
    const [, relativeMain, pid] = /running (\S+) \(pid (\d+)\)/.exec(output) ?? [];
    expect(relativeMain).toMatch(/^\.run\/app-\d+\/dist\/main\.js$/);
    // What the service's process really executes: the snapshot, not dist/main.js.
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    expect(realpathSync(argv[1])).toBe(realpathSync(join(ROOT, relativeMain)));
    expect(argv[1]).not.toContain(`${join(ROOT, 'dist')}/`);

    start.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(join(ROOT, relativeMain))).toBe(false);
  });
});
