import { execSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { runDelivery } from './delivery';
import { runCluster } from './cluster';
import { runHeartbeat } from './heartbeat';
import { runIdleSweeps } from './idle-sweeps';
import { runLag } from './lag';
import { runMemory } from './memory';
import { runRedisCost } from './redis-cost';
import { ROOT } from './support/build';
import { SMOKE } from './support/options';
import { runSweep } from './sweep';
import { formatTable, Row } from './support/table';

/**
 * `npm run bench`: all five figures in turn, one combined table. `--smoke` (or BENCH_SMOKE=1) runs each at
 * tiny scale for CI; `--write` puts the table, with date and machine, into docs/benchmarks.md (Latest results).
 */
function machine(): string {
  const model = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const nproc = execSync('nproc').toString().trim();
  const redis = /v=(\S+)/.exec(execSync('redis-server --version').toString())?.[1] ?? 'unknown';
  return `${nproc} cores (nproc), ${model}, Node ${process.version}, redis-server ${redis}`;
}

async function main(): Promise<void> {
  const started = Date.now();
  const rows: Row[] = [];
  for (const [name, run] of [
    ['heartbeat', runHeartbeat],
    ['redis cost', runRedisCost],
    ['sweep', runSweep],
    ['lag', runLag],
    ['idle sweeps', runIdleSweeps],
    ['memory', runMemory],
    ['delivery', runDelivery],
    ['cluster', runCluster],
  ] as const) {
    process.stderr.write(`bench: ${name}…\n`);
    rows.push(...(await run()));
  }
  const header = `${SMOKE ? 'SMOKE run (tiny scale: pass/fail is not meaningful) — ' : ''}${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC — ${machine()} — ${Math.round((Date.now() - started) / 1000)} s`;
  const table = formatTable(rows);
  console.log(`\n${header}\n\n${table}`);
  if (process.argv.includes('--write')) {
    const path = join(ROOT, 'docs', 'benchmarks.md');
    const doc = readFileSync(path, 'utf8');
    const marker = /<!-- bench:start -->[\s\S]*<!-- bench:end -->/;
    writeFileSync(path, doc.replace(marker, `<!-- bench:start -->\n${header}\n\n${table}\n<!-- bench:end -->`));
  }
  // Any FAIL sets the exit code, so CI notices; smoke runs only check that every benchmark runs to the end.
  process.exit(!SMOKE && rows.some((r) => r.pass === false) ? 2 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
