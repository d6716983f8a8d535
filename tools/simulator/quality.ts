import { IM_REASON, ImCallbackSender } from '../../test/support/im-callbacks';
import type { GroupMessage } from '../../test/support/fake-tencent-im';
import { SimAnchor } from './fleet';
import type { SimulationOptions } from './options';
import { Check, noticesOf } from './report';
import { CALLBACK_TOKEN, SDKAPPID, Stack } from './stack';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The kinds of IM presence noise sent about healthy anchors; none of them may interrupt a live. */
export const NOISE_KINDS = ['stale', 'reordered', 'kick-pair', 'duplicate'] as const;
type NoiseKind = (typeof NOISE_KINDS)[number];

export interface QualityResult {
  checks: Check[];
  falseInterrupted: number;
  falseEnded: number;
  outages: Array<{ kind: 'service' | 'redis'; downMs: number }>;
  reportsSent: number;
}

/**
 * The detection-quality check: every anchor stays healthy (beating through the real client) while our own
 * processes are killed and restarted by turns (the service with SIGKILL, Redis with SIGKILL and AOF on) and
 * IM presence callbacks arrive stale, duplicated, out of order and as multi-instance kick pairs. Every
 * LIVE_INTERRUPTED or LIVE_ENDED the viewers get for them is false. A control anchor then crashes with an
 * honest offline report, and must end 'disconnect', so a pass cannot come from callbacks that do nothing.
 */
export async function runQuality(
  options: SimulationOptions,
  stack: Stack,
  anchors: SimAnchor[],
  log: (line: string) => void,
): Promise<QualityResult> {
  const sender = new ImCallbackSender(() => stack.service.url, String(SDKAPPID), CALLBACK_TOKEN);
  const random = seeded(7);
  const outages: QualityResult['outages'] = [];
  let reportsSent = 0;
  const control = anchors[anchors.length - 1];
  const healthy = anchors.slice(0, -1);

  const noise = async () => {
    // A fifth of the anchors each time, every kind in turn.
    const picked = healthy.filter(() => random() < 0.2);
    const sent = await Promise.all(picked.map((a, i) => sendNoise(sender, a, NOISE_KINDS[i % NOISE_KINDS.length], random)));
    reportsSent += sent.reduce((sum, n) => sum + n, 0);
  };

  for (let r = 0; r < options.repeat; r++) {
    const kind = r % 2 === 0 ? 'service' : 'redis';
    const downMs = Math.round(options.outageMinMs + random() * (options.outageMaxMs - options.outageMinMs));
    await noise();
    const wentDown = Date.now();
    if (kind === 'service') await stack.service.stop('SIGKILL');
    else await stack.redis.stop('SIGKILL');
    await sleep(downMs);
    if (kind === 'service') await stack.service.launch();
    else await stack.redis.launch();
    const back = Date.now();
    outages.push({ kind, downMs: back - wentDown });
    // Every anchor beats again through its client's retries; then more noise, and time for any false notice to show.
    await waitUntil(() => healthy.every((a) => a.lastBeatAt > back), options.timeoutMs * 3);
    await noise();
    await sleep(Math.max(options.suspectMs, 2 * options.intervalMs + 1000));
    const counts = falseCounts(stack.viewers.messages, healthy);
    log(
      `outage ${r + 1}/${options.repeat}: ${kind} down ${((back - wentDown) / 1000).toFixed(1)} s; false LIVE_INTERRUPTED so far ${counts.interrupted} (${counts.byReport} by an IM report), false LIVE_ENDED ${counts.ended}`,
    );
  }

  // The control: the app dies and IM says so at once; the live must end 'disconnect', well before its timeout.
  const crashedAt = Date.now();
  await control.client.stop({ end: false });
  await sender.stateChange(control.anchorId, 'Disconnect', IM_REASON.Disconnect, Date.now());
  reportsSent++;
  await waitUntil(() => noticesOf(stack.viewers.messages, control).some((n) => n.type === 'LIVE_ENDED'), options.timeoutMs * 3);
  const controlCheck = check('control: crashed and reported offline, ended disconnect before its timeout', [control], (a) => {
    const ended = noticesOf(stack.viewers.messages, a).filter((n) => n.type === 'LIVE_ENDED');
    if (ended.length !== 1) return `${a.roomId}: ${ended.length} LIVE_ENDED notices`;
    if (ended[0].reason !== 'disconnect') return `${a.roomId}: reason ${ended[0].reason}`;
    return ended[0].receivedAt - crashedAt < options.timeoutMs ? null : `${a.roomId}: told after ${ended[0].receivedAt - crashedAt} ms`;
  });

  const counts = falseCounts(stack.viewers.messages, healthy);
  const never = (type: string) =>
    check(`healthy through ${options.repeat} outages and presence noise: never told ${type}`, healthy, (a) => {
      const told = noticesOf(stack.viewers.messages, a).filter((n) => n.type === type);
      return told.length === 0 ? null : `${a.roomId}: ${told.map((n) => n.reason ?? '-').join(', ')}`;
    });
  const alive = check('healthy: the anchor client still live', healthy, (a) =>
    a.state === 'live' ? null : `${a.roomId}: client is ${a.state}`,
  );
  return {
    checks: [never('LIVE_INTERRUPTED'), never('LIVE_ENDED'), alive, controlCheck],
    falseInterrupted: counts.interrupted,
    falseEnded: counts.ended,
    outages,
    reportsSent,
  };
}

/** Sends one kind of noise about a healthy anchor; resolves with the number of callbacks sent. */
async function sendNoise(sender: ImCallbackSender, a: SimAnchor, kind: NoiseKind, random: () => number): Promise<number> {
  const send = (action: 'Login' | 'Logout' | 'Disconnect', eventTime: number) =>
    sender.stateChange(a.anchorId, action, IM_REASON[action], eventTime).catch(() => 0);
  const now = Date.now();
  switch (kind) {
    case 'stale':
      // A Disconnect from before the anchor's last beat (IM reports lag; the anchor is back already).
      await send('Disconnect', a.lastBeatSentAt - 100);
      return 1;
    case 'reordered':
      // The newer Login arrives first, the older Disconnect after it.
      await send('Login', now);
      await send('Disconnect', now - 100);
      return 2;
    case 'kick-pair': {
      // A multi-instance kick on an older SDK: Login and Logout with one EventTime, in either order.
      const order: Array<'Login' | 'Logout'> = random() < 0.5 ? ['Login', 'Logout'] : ['Logout', 'Login'];
      for (const action of order) await send(action, now);
      return 2;
    }
    case 'duplicate':
      await send('Login', now);
      await send('Login', now);
      await send('Disconnect', a.lastBeatSentAt - 100);
      await send('Disconnect', a.lastBeatSentAt - 100);
      return 4;
  }
}

function falseCounts(messages: GroupMessage[], healthy: SimAnchor[]): { interrupted: number; ended: number; byReport: number } {
  const ids = new Set(healthy.map((a) => a.liveId));
  const mine = messages.filter((m) => ids.has(m.data?.liveId));
  const interrupted = mine.filter((m) => m.data.type === 'LIVE_INTERRUPTED');
  return {
    interrupted: interrupted.length,
    ended: mine.filter((m) => m.data.type === 'LIVE_ENDED').length,
    byReport: interrupted.filter((m) => m.data.reason === 'disconnect').length,
  };
}

function check(name: string, anchors: SimAnchor[], fault: (a: SimAnchor) => string | null): Check {
  const failures = anchors.map(fault).filter((f): f is string => f !== null);
  return { name, passed: anchors.length - failures.length, total: anchors.length, failures };
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  while (!condition() && Date.now() < giveUpAt) await sleep(100);
}

/** A small fixed pseudo-random sequence: every run draws the same outages and noise. */
function seeded(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}
