import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..');

/** Runs the simulator CLI as a newcomer would (on the dist/ that `npm test` builds first). */
function simulate(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [join(root, 'node_modules/ts-node/dist/bin.js'), '--transpile-only', 'tools/simulator/main.ts', ...args],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('simulator (npm run simulate)', () => {
  it('runs 20 anchors with 3 crashes and 3 network blips, and every check passes', async () => {
    const { code, output } = await simulate(['--anchors', '20', '--crash', '3', '--blip', '3']);
    expect(output).toMatch(/PASS \|\s+3\/3 \| crashed: viewers told LIVE_ENDED exactly once/);
    expect(output).toMatch(/PASS \|\s+14\/14 \| healthy/);
    expect(output).toMatch(/PASS \|\s+3\/3 \| blipped/);
    expect(output).toMatch(/detection lag .* p50 \d+\.\d+ s, p99 \d+\.\d+ s/);
    expect(output).toContain('ALL CHECKS PASSED');
    expect(code).toBe(0);
  }, 120000);

  it('quality mode, short form: outages of the service and of Redis with IM presence noise give no false notice', async () => {
    const { code, output } = await simulate([
      '--mode',
      'quality',
      '--anchors',
      '12',
      '--repeat',
      '2',
      '--outage-min-ms',
      '1500',
      '--outage-max-ms',
      '3000',
    ]);
    expect(output).toMatch(/outages: 2 \(service 1, Redis 1;/);
    expect(output).toMatch(/IM presence callbacks sent: [1-9]\d*/);
    expect(output).toMatch(/PASS \|\s+1\/1 \| control: crashed and reported offline, ended disconnect/);
    expect(output).toContain('false LIVE_INTERRUPTED: 0, false LIVE_ENDED: 0');
    expect(output).toContain('ALL CHECKS PASSED');
    expect(code).toBe(0);
  }, 180000);

  it('refuses impossible options with a message naming the option, exit code 2', async () => {
    const { code, output } = await simulate(['--anchors', '5', '--crash', '4', '--blip', '4']);
    expect(output).toMatch(/--crash plus --blip \(8\) must not exceed --anchors \(5\)/);
    expect(code).toBe(2);
  }, 60000);
});
