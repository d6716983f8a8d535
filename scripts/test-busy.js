#!/usr/bin/env node
// Runs the test suite on a busy machine, as CI's runners are: one CPU-bound process per core (at normal
// priority) spins for the whole run, and the suite must pass TEST_BUSY_RUNS times in a row (default 3).
// Arguments go to jest (e.g. `npm run test:busy -- test/limits.e2e-spec.ts`). Expects a build (npm run pretest).
// Env: TEST_BUSY_RUNS (runs in a row, default 3), TEST_BUSY_HOGS (spinning processes, default one per core).
'use strict';
const { spawn } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const runs = Number(process.env.TEST_BUSY_RUNS || 3);
const hogCount = Number(process.env.TEST_BUSY_HOGS || (os.availableParallelism?.() ?? os.cpus().length));

// Each hog keeps one core at 100 %: a tight loop that yields nothing to the event loop.
const hogs = Array.from({ length: hogCount }, () =>
  spawn(process.execPath, ['-e', 'for (;;) Math.sqrt(Math.random());'], { stdio: 'ignore' }),
);
const stopHogs = () => {
  for (const hog of hogs) if (hog.exitCode === null) hog.kill('SIGKILL');
};
process.on('exit', stopHogs);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

function runSuite(run) {
  return new Promise((resolve) => {
    console.error(`[test:busy] run ${run} of ${runs}, ${hogCount} CPU-bound process(es) spinning`);
    const jest = spawn(process.execPath, [require.resolve('jest/bin/jest'), '--runInBand', ...process.argv.slice(2)], {
      cwd: root,
      stdio: 'inherit',
    });
    jest.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

(async () => {
  const startedAt = Date.now();
  for (let run = 1; run <= runs; run++) {
    const code = await runSuite(run);
    if (code !== 0) {
      console.error(`[test:busy] run ${run} failed (exit ${code}); the suite must pass ${runs} times in a row on a busy machine`);
      process.exit(code);
    }
  }
  console.error(`[test:busy] ${runs} runs in a row passed under load in ${((Date.now() - startedAt) / 60000).toFixed(1)} min`);
  process.exit(0);
})();
