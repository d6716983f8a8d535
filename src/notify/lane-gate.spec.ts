import { LaneGate, PAUSE_AFTER_FAILURES, RECOVERED_AT } from './lane-gate';

describe('LaneGate', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  const never = new AbortController().signal;
  /** A gate whose probe delay is always the ceiling's half (random 0): 500, 1000, 2000 … up to 5000 ms. */
  const gate = () => new LaneGate(1000, 10000, Date.now, () => 0);
  const pauseIt = async (g: LaneGate) => {
    for (let i = 0; i < PAUSE_AFTER_FAILURES; i++) g.settle((await g.admit(never))!, 'down');
  };
  /** Which of `waiting` have been let through by now (after pending timers and microtasks ran). */
  const through = async (waiting: Array<Promise<unknown>>) => {
    const done = waiting.map(() => false);
    waiting.forEach((w, i) => void w.then(() => (done[i] = true)));
    await jest.advanceTimersByTimeAsync(0);
    return done.filter(Boolean).length;
  };

  it('lets every attempt through while the destination answers, or fails fewer times in a row than the threshold', async () => {
    const g = gate();
    for (let i = 0; i < PAUSE_AFTER_FAILURES - 1; i++) g.settle((await g.admit(never))!, 'down');
    g.settle((await g.admit(never))!, 'up');
    for (let i = 0; i < PAUSE_AFTER_FAILURES - 1; i++) g.settle((await g.admit(never))!, 'down');
    expect(g.paused).toBe(false);
    expect(await g.admit(never)).toEqual({ counted: false });
  });

  it('once paused, sends one probe at a time after the backoff; a failed probe doubles the wait', async () => {
    const g = gate();
    await pauseIt(g);
    expect(g.paused).toBe(true);
    const waiting = [g.admit(never), g.admit(never), g.admit(never)];
    expect(await through(waiting)).toBe(0);

    await jest.advanceTimersByTimeAsync(500);
    expect(await through(waiting)).toBe(1);
    const probe = await Promise.race(waiting);
    expect(probe).toEqual({ counted: true });

    g.settle(probe!, 'down');
    await jest.advanceTimersByTimeAsync(999);
    expect(await through(waiting)).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(await through(waiting)).toBe(2);
  });

  it('after a probe succeeds, lets one more attempt on the wire per success (a slow start) until healthy; a failure pauses again', async () => {
    const g = gate();
    await pauseIt(g);
    await jest.advanceTimersByTimeAsync(500);
    g.settle((await g.admit(never))!, 'up');

    // Allowance 2: two go, the third waits until one of them answers; each success lets one more go.
    const waiting = [g.admit(never), g.admit(never), g.admit(never)];
    expect(await through(waiting)).toBe(2);
    g.settle((await waiting[0])!, 'up'); // 3
    expect(await through(waiting)).toBe(3);
    g.settle((await waiting[1])!, 'up'); // 4
    g.settle((await waiting[2])!, 'up'); // 5

    // Each round of answers doubles the allowance, until RECOVERED_AT.
    for (let allowance = 5; allowance < RECOVERED_AT; allowance *= 2) {
      expect(g.paused).toBe(true);
      const passes = await Promise.all(Array.from({ length: allowance }, () => g.admit(never)));
      expect(passes.every((p) => p!.counted)).toBe(true);
      const oneMore = new AbortController();
      expect(await through([g.admit(oneMore.signal)])).toBe(0);
      oneMore.abort();
      for (const p of passes) g.settle(p!, 'up');
    }
    expect(g.paused).toBe(false);
    expect(await g.admit(never)).toEqual({ counted: false });

    // Recovering again: the first failure pauses, with no PAUSE_AFTER_FAILURES grace.
    await pauseIt(g);
    await jest.advanceTimersByTimeAsync(5000);
    g.settle((await g.admit(never))!, 'up');
    g.settle((await g.admit(never))!, 'down');
    expect(await through([g.admit(never)])).toBe(0);
  });

  it("waits at least the destination's Retry-After before the next probe", async () => {
    const g = gate();
    await pauseIt(g);
    await jest.advanceTimersByTimeAsync(500);
    g.settle((await g.admit(never))!, 'down', 30000);
    const next = [g.admit(never)];
    await jest.advanceTimersByTimeAsync(29999);
    expect(await through(next)).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(await through(next)).toBe(1);
  });

  it('counts neither way an attempt that never reached the destination, and frees its place', async () => {
    const g = gate();
    await pauseIt(g);
    await jest.advanceTimersByTimeAsync(500);
    g.settle((await g.admit(never))!, 'unknown');
    expect(await g.admit(never)).toEqual({ counted: true });
  });

  it('answers null to a waiter whose signal aborts', async () => {
    const g = gate();
    await pauseIt(g);
    const abort = new AbortController();
    const waiting = g.admit(abort.signal);
    abort.abort();
    expect(await waiting).toBeNull();
  });
});
