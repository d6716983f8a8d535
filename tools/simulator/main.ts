import { SimAnchor, Role } from './fleet';
import { parseOptions, SimulationOptions, UsageRequested, USAGE } from './options';
import { runQuality } from './quality';
import { checkNormalStops, checksTable, checksWhileRunning, detectionLags, progressLine, summaryTable } from './report';
import { startStack, Stack } from './stack';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** After the expected notices arrived, how long to keep watching for a late or repeated one. */
const QUIET_MS = 2000;

/**
 * The whole story in one run: anchors go live through the anchor client, some crash, some lose the
 * network for a while, and the viewers (a Tencent IM stand-in) must be told exactly what happened.
 */
async function simulate(options: SimulationOptions): Promise<boolean> {
  if (options.mode === 'quality') return checkQuality(options);
  const started = Date.now();
  console.log(
    `simulating ${options.anchors} anchors: ${options.crash} crash, ${options.blip} lose the network for ${options.blipMs} ms; ` +
      `timeout ${options.timeoutMs} ms, suspect ${options.suspectMs} ms, beat every ${options.intervalMs} ms`,
  );
  const stack = await startStack(options);
  const stopStack = once(() => stack.stop());
  process.once('SIGINT', () => void stopStack().finally(() => process.exit(130)));
  console.log(
    `service ${stack.service.url} (status page ${stack.service.url}/dashboard), Redis ${stack.redis.url}, viewers' IM ${stack.viewers.url}`,
  );

  const anchors = assignRoles(options).map((role, i) => new SimAnchor(i, role, stack.service.url));
  const messages = stack.viewers.messages;
  const progress = startProgress(started, anchors, stack);
  try {
    for (let i = 0; i < anchors.length; i += 50) await Promise.all(anchors.slice(i, i + 50).map((a) => a.client.start()));

    const faults = anchors.map((a) =>
      a.role === 'crash' ? a.crashAfterNextBeat() : a.role === 'blip' ? a.blipAfterNextBeat(options.blipMs) : Promise.resolve(),
    );
    await Promise.all(faults);
    // Every crash told, every blip back on: or give up after well over a timeout.
    const giveUpAt = Date.now() + options.timeoutMs + 15000;
    while (Date.now() < giveUpAt && !settled(anchors, stack)) await sleep(100);
    await sleep(QUIET_MS);
    const running = checksWhileRunning(anchors, messages);
    const lags = detectionLags(anchors, messages);

    await Promise.all(anchors.filter((a) => a.role !== 'crash').map((a) => a.client.stop()));
    const survivors = anchors.filter((a) => a.role !== 'crash');
    const endedNormally = () => checkNormalStops(anchors, messages).passed === survivors.length;
    const stopGiveUpAt = Date.now() + 15000;
    while (Date.now() < stopGiveUpAt && !endedNormally()) await sleep(100);
    await sleep(Math.min(QUIET_MS, 1000));
    const checks = [...running, checkNormalStops(anchors, messages)];
    progress.stop();

    console.log(`\n${summaryTable(checks, lags, options.timeoutMs, stack.viewers.duplicates.length)}`);
    const passed = checks.every((c) => c.passed === c.total);
    if (!passed) console.log(`\nlast lines of the service's log:\n${stack.service.output.split('\n').slice(-20).join('\n')}`);
    console.log(`${passed ? 'ALL CHECKS PASSED' : 'SOME CHECKS FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return passed;
  } finally {
    progress.stop();
    await Promise.all(anchors.map((a) => a.client.stop({ end: false })));
    await stopStack();
  }
}

/**
 * The detection-quality mode (quality.ts): healthy anchors through repeated outages of our own and IM
 * presence noise; reports the false LIVE_INTERRUPTED and LIVE_ENDED counts (target 0), then ends every
 * anchor normally to show that notices still flow.
 */
async function checkQuality(options: SimulationOptions): Promise<boolean> {
  const started = Date.now();
  console.log(
    `detection quality: ${options.anchors} anchors, ${options.repeat} outages of our own (service and Redis by turns, ` +
      `${options.outageMinMs}-${options.outageMaxMs} ms) with IM presence noise; timeout ${options.timeoutMs} ms, suspect ${options.suspectMs} ms, beat every ${options.intervalMs} ms`,
  );
  const stack = await startStack(options);
  const stopStack = once(() => stack.stop());
  process.once('SIGINT', () => void stopStack().finally(() => process.exit(130)));
  // The last anchor is the control that really crashes (and is reported offline); the others stay healthy.
  const anchors = Array.from(
    { length: options.anchors },
    (_, i) => new SimAnchor(i, i === options.anchors - 1 ? 'crash' : 'healthy', stack.service.url),
  );
  try {
    for (let i = 0; i < anchors.length; i += 50) await Promise.all(anchors.slice(i, i + 50).map((a) => a.client.start()));
    const result = await runQuality(options, stack, anchors, (line) => console.log(line));
    const survivors = anchors.filter((a) => a.role !== 'crash');
    await Promise.all(survivors.map((a) => a.client.stop()));
    const stopGiveUpAt = Date.now() + 15000;
    while (Date.now() < stopGiveUpAt && checkNormalStops(anchors, stack.viewers.messages).passed < survivors.length) await sleep(100);
    await sleep(1000);
    const checks = [...result.checks, checkNormalStops(anchors, stack.viewers.messages)];
    const services = result.outages.filter((o) => o.kind === 'service').length;
    const downs = result.outages.map((o) => o.downMs);
    console.log(`\n${checksTable(checks)}`);
    console.log(
      `outages: ${result.outages.length} (service ${services}, Redis ${result.outages.length - services}; down ${(Math.min(...downs) / 1000).toFixed(1)}-${(Math.max(...downs) / 1000).toFixed(1)} s); ` +
        `IM presence callbacks sent: ${result.reportsSent}`,
    );
    console.log(`false LIVE_INTERRUPTED: ${result.falseInterrupted}, false LIVE_ENDED: ${result.falseEnded}`);
    const passed = checks.every((c) => c.passed === c.total) && result.falseInterrupted === 0 && result.falseEnded === 0;
    if (!passed) console.log(`\nlast lines of the service's log:\n${stack.service.output.split('\n').slice(-20).join('\n')}`);
    console.log(`${passed ? 'ALL CHECKS PASSED' : 'SOME CHECKS FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return passed;
  } finally {
    await Promise.all(anchors.map((a) => a.client.stop({ end: false })));
    await stopStack();
  }
}

/** Crashes and blips spread over the fleet by a fixed shuffle, so every run picks the same rooms. */
function assignRoles(o: SimulationOptions): Role[] {
  const roles: Role[] = Array.from({ length: o.anchors }, (_, i) => (i < o.crash ? 'crash' : i < o.crash + o.blip ? 'blip' : 'healthy'));
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = roles.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [roles[i], roles[j]] = [roles[j], roles[i]];
  }
  return roles;
}

function settled(anchors: SimAnchor[], stack: Stack): boolean {
  const told = (a: SimAnchor, type: string) => stack.viewers.messages.some((m) => m.data?.liveId === a.liveId && m.data?.type === type);
  return anchors.every((a) => {
    if (a.role === 'crash') return told(a, 'LIVE_ENDED');
    if (a.role === 'blip') return a.blipUntil !== null && a.state === 'live' && told(a, 'LIVE_RESUMED');
    return true;
  });
}

/** On a terminal the line is redrawn in place; in a log (CI) a line every two seconds. */
function startProgress(started: number, anchors: SimAnchor[], stack: Stack) {
  const tty = process.stdout.isTTY;
  // The service's own view, from its status page data: lives by state and the outbox.
  let service = '';
  const readService = async () => {
    try {
      const d = (await (await fetch(`${stack.service.url}/dashboard/data`, { signal: AbortSignal.timeout(2000) })).json()) as any;
      service = `  |  service: live ${d.lives.live}, interrupted ${d.lives.interrupted}, outbox ${d.outbox.depth}`;
    } catch {
      /* busy or stopping: keep the last figures */
    }
  };
  const poller = setInterval(() => void readService(), 1000);
  const draw = () => {
    const line = progressLine(Date.now() - started, anchors, stack.viewers.messages) + service;
    process.stdout.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
  };
  const timer = setInterval(draw, tty ? 250 : 2000);
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(poller);
      clearInterval(timer);
      draw();
      if (tty) process.stdout.write('\n');
    },
  };
}

function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | null = null;
  return () => (result ??= fn());
}

async function main(): Promise<void> {
  let options: SimulationOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageRequested) {
      console.log(USAGE);
      process.exit(0);
    }
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  try {
    process.exit((await simulate(options)) ? 0 : 1);
  } catch (err) {
    console.error(`simulation failed: ${(err as Error).stack ?? err}`);
    process.exit(1);
  }
}

void main();
