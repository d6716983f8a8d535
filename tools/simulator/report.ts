import type { GroupMessage } from '../../test/support/fake-tencent-im';
import type { SimAnchor } from './fleet';

export interface Check {
  name: string;
  passed: number;
  total: number;
  failures: string[];
}

/** What the viewers of one live were told, in the live's own order (seq). */
export function noticesOf(
  messages: GroupMessage[],
  anchor: SimAnchor,
): Array<{ type: string; reason: string | null; seq: number; receivedAt: number }> {
  return messages
    .filter((m) => m.data?.liveId === anchor.liveId)
    .map((m) => ({ type: m.data.type, reason: m.data.reason, seq: m.data.seq, receivedAt: m.at }))
    .sort((a, b) => a.seq - b.seq);
}

/** The checks made while the healthy and blipped anchors still run. */
export function checksWhileRunning(anchors: SimAnchor[], messages: GroupMessage[]): Check[] {
  const crashed = check(
    'crashed: viewers told LIVE_ENDED exactly once, reason timeout',
    anchors.filter((a) => a.role === 'crash'),
    (a) => {
      const ended = noticesOf(messages, a).filter((n) => n.type === 'LIVE_ENDED');
      if (ended.length !== 1) return `${a.roomId}: ${ended.length} LIVE_ENDED notices`;
      return ended[0].reason === 'timeout' ? null : `${a.roomId}: reason ${ended[0].reason}`;
    },
  );
  const healthy = check(
    'healthy: viewers never told LIVE_ENDED',
    anchors.filter((a) => a.role === 'healthy'),
    (a) => {
      const ended = noticesOf(messages, a).filter((n) => n.type === 'LIVE_ENDED');
      if (ended.length > 0) return `${a.roomId}: told LIVE_ENDED (${ended[0].reason})`;
      return a.state === 'live' ? null : `${a.roomId}: client is ${a.state}`;
    },
  );
  const blipped = check(
    'blipped: LIVE_INTERRUPTED then LIVE_RESUMED, never LIVE_ENDED',
    anchors.filter((a) => a.role === 'blip'),
    (a) => {
      const notices = noticesOf(messages, a);
      if (notices.some((n) => n.type === 'LIVE_ENDED')) return `${a.roomId}: told LIVE_ENDED`;
      const interrupted = notices.findIndex((n) => n.type === 'LIVE_INTERRUPTED');
      const resumed = notices.findIndex((n) => n.type === 'LIVE_RESUMED');
      if (interrupted < 0) return `${a.roomId}: no LIVE_INTERRUPTED`;
      if (resumed < interrupted) return `${a.roomId}: no LIVE_RESUMED after LIVE_INTERRUPTED`;
      return a.state === 'live' ? null : `${a.roomId}: client is ${a.state}`;
    },
  );
  return [crashed, healthy, blipped];
}

/** After the survivors stopped through the client: each live ended once, reason normal. */
export function checkNormalStops(anchors: SimAnchor[], messages: GroupMessage[]): Check {
  return check(
    'stopped normally: viewers told LIVE_ENDED once, reason normal',
    anchors.filter((a) => a.role !== 'crash'),
    (a) => {
      const ended = noticesOf(messages, a).filter((n) => n.type === 'LIVE_ENDED');
      if (ended.length !== 1) return `${a.roomId}: ${ended.length} LIVE_ENDED notices`;
      return ended[0].reason === 'normal' ? null : `${a.roomId}: reason ${ended[0].reason}`;
    },
  );
}

/** Crash to LIVE_ENDED received by the viewers, ms, for every crashed anchor whose viewers were told. */
export function detectionLags(anchors: SimAnchor[], messages: GroupMessage[]): number[] {
  return anchors
    .filter((a) => a.role === 'crash' && a.crashedAt !== null)
    .flatMap((a) => {
      const ended = noticesOf(messages, a).find((n) => n.type === 'LIVE_ENDED');
      return ended ? [ended.receivedAt - a.crashedAt!] : [];
    });
}

export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export const seconds = (ms: number | null) => (ms === null ? '-' : `${(ms / 1000).toFixed(2)} s`);

/** One line of live progress: client states, notices by type, detection lag so far. */
export function progressLine(elapsedMs: number, anchors: SimAnchor[], messages: GroupMessage[]): string {
  const states = countBy(anchors.map((a) => a.state));
  const notices = countBy(messages.map((m) => m.data?.type ?? 'other'));
  const lags = detectionLags(anchors, messages);
  return (
    `t=${(elapsedMs / 1000).toFixed(1).padStart(5)}s  clients: live ${states.live ?? 0}, retrying ${states.retrying ?? 0}, ` +
    `stopped ${states.stopped ?? 0}, ended ${states.ended ?? 0}  |  viewers told: INTERRUPTED ${notices.LIVE_INTERRUPTED ?? 0}, ` +
    `RESUMED ${notices.LIVE_RESUMED ?? 0}, ENDED ${notices.LIVE_ENDED ?? 0}  |  lag p50 ${seconds(percentile(lags, 50))}`
  );
}

/** The summary table: one row per check, then the detection lag. */
export function summaryTable(checks: Check[], lags: number[], timeoutMs: number, duplicatesDropped: number): string {
  const out = [checksTable(checks)];
  out.push(
    `detection lag (crash → viewers told LIVE_ENDED; timeout ${seconds(timeoutMs)}): ` +
      `p50 ${seconds(percentile(lags, 50))}, p99 ${seconds(percentile(lags, 99))}, max ${seconds(lags.length ? Math.max(...lags) : null)} over ${lags.length}`,
  );
  out.push(`repeated sends dropped by the IM de-duplication (viewers never see them): ${duplicatesDropped}`);
  return out.join('\n');
}

/** One row per check (PASS/FAIL, anchors passed of total, name), then the first failures of each. */
export function checksTable(checks: Check[]): string {
  const rows = checks.map((c) => [c.passed === c.total ? 'PASS' : 'FAIL', `${c.passed}/${c.total}`, c.name]);
  const width = Math.max(...rows.map((r) => r[2].length));
  const line = `+------+---------+-${'-'.repeat(width)}-+`;
  const out = [line, `| ${'ok'.padEnd(4)} | ${'anchors'.padEnd(7)} | ${'check'.padEnd(width)} |`, line];
  for (const [ok, count, name] of rows) out.push(`| ${ok.padEnd(4)} | ${count.padStart(7)} | ${name.padEnd(width)} |`);
  out.push(line);
  for (const c of checks) for (const f of c.failures.slice(0, 10)) out.push(`  ${c.name.split(':')[0]}: ${f}`);
  return out.join('\n');
}

function check(name: string, anchors: SimAnchor[], fault: (a: SimAnchor) => string | null): Check {
  const failures = anchors.map(fault).filter((f): f is string => f !== null);
  return { name, passed: anchors.length - failures.length, total: anchors.length, failures };
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}
