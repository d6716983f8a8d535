import { SMOKE } from './options';
/** One line of a benchmark's table: what was measured, against what, and whether it met the target. */
export interface Row {
  figure: string;
  value: string;
  limit: string;
  /** value / limit (or the figure's own ratio); null when there is nothing to divide by. */
  ratio: number | null;
  /** null: reported only, no target. */
  pass: boolean | null;
}

export function row(figure: string, value: string, limit: string, ratio: number | null, pass: boolean | null): Row {
  return { figure, value, limit, ratio, pass };
}

const verdict = (pass: boolean | null) => (pass === null ? 'info' : pass ? 'PASS' : 'FAIL');

/** A Markdown table, readable in a terminal and pasteable into docs/benchmarks.md. */
export function formatTable(rows: Row[]): string {
  const lines = [
    '| Figure | Value | Limit or target | Ratio | Pass/fail |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.figure} | ${r.value} | ${r.limit} | ${r.ratio === null ? '—' : r.ratio.toFixed(2)} | ${verdict(r.pass)} |`),
  ];
  return lines.join('\n');
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** For a benchmark file run on its own (`npm run bench:<name>`): runs it and prints its table; exit 1 on an error. */
export function printWhenRun(run: () => Promise<Row[]>): void {
  run().then(
    (rows) => console.log(`${SMOKE ? '(smoke) ' : ''}\n${formatTable(rows)}`),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
