import { FakeTencentIm } from '../../test/support/fake-tencent-im';

/**
 * The fake Tencent IM in a process of its own, so the time each call arrives is taken on an event loop
 * that does nothing else (in the benchmark's process, its stalls bunched calls into one reading).
 * Answers every call after IM_DELAY_MS. Over IPC: 'count' → messages so far; 'report' → what was received,
 * and the stalls of this event loop over STALL_MS while calls came.
 */
export interface FakeImReport {
  requests: Array<{ at: number; errorCode: number }>;
  /** `eventAt`: the transition time the message carries (its `at`). */
  messages: Array<{ at: number; type: string; eventAt: number }>;
  duplicates: number;
  /** Event-loop stalls longer than stallMs. */
  stallMs: number;
  stalls: Array<{ at: number; ms: number }>;
}

const STALL_MS = 20;

async function main(): Promise<void> {
  const im = await FakeTencentIm.start(Number(process.env.IM_SDKAPPID), process.env.IM_KEY!);
  im.answerNext(...Array.from({ length: Number(process.env.IM_ANSWERS) }, () => ({ delayMs: Number(process.env.IM_DELAY_MS) })));
  const stalls: FakeImReport['stalls'] = [];
  let last = Date.now();
  setInterval(() => {
    const now = Date.now();
    if (now - last > STALL_MS) stalls.push({ at: last, ms: now - last });
    last = now;
  }, 5);
  process.on('message', (ask: string) => {
    if (ask === 'count') process.send!({ count: im.messages.length });
    if (ask === 'report') {
      const report: FakeImReport = {
        requests: im.requests.map(({ at, errorCode }) => ({ at, errorCode })),
        messages: im.messages.map(({ at, data }) => ({ at, type: data.type, eventAt: data.at })),
        duplicates: im.duplicates.length,
        stallMs: STALL_MS,
        stalls,
      };
      process.send!({ report });
    }
  });
  process.send!({ url: im.url });
}

void main();
