import { LaneGate, PAUSE_AFTER_FAILURES } from './lane-gate';

describe('LaneGate', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  const never = new AbortController().signal;
  /** A gate whose probe delay is always the ceiling's half (random 0): 500, 1000, 2000 … up to 5000 ms. */
  const gate = () => new LaneGate(1000, 10000, Date.now, () => 0);
  const pauseIt = async (g: LaneGate) => {
    for (let i = 0; i < PAUSE_AFTER_FAILURES; i++) g.settle((await g.admit(never))!, 'down');
  };
  /** Whether the promise settled by now (after pending microtasks ran). */
  const settled = async (p: Promise<unknown>) => {
    let done = false;
    void p.then(() => (done = true));
    await jest.advanceTimersByTimeAsync(0);
    return done;
  };

  it('lets every attempt through while the destination answers, or fails fewer times in a row than the threshold', async () => {
    const g = gate();
    for (let i = 0; i < PAUSE_AFTER_FAILURES - 1; i++) g.settle((await g.admit(never))!, 'down');
    g.settle((await g.admit(never))!, 'up');
    for (let i = 0; i < PAUSE_AFTER_FAILURES - 1; i++) g.settle((await g.admit(never))!, 'down');
    expect(g.paused).toBe(false);
    expect(await g.admit(never)).toEqual({ probe: false });
  });

  it('once paused, sends one probe at a time after the backoff, and a probe that finds the destination up releases everyone', async () => {
    const g = gate();
    await pauseIt(g);
    expect(g.paused).toBe(true);
    const waiting = [g.admit(never), g.admit(never), g.admit(never)];
    expect(await settled(Promise.race(waiting))).toBe(false);

    await jest.advanceTimersByTimeAsync(500);
    const probe = await Promise.race(waiting.map((w, i) => w.then((pass) => ({ pass, i }))));
    expect(probe.pass).toEqual({ probe: true });
    const others = waiting.filter((_, i) => i !== probe.i);
    expect(await settled(Promise.race(others))).toBe(false);

    // The probe fails: the next one waits twice as long.
    g.settle(probe.pass!, 'down');
    await jest.advanceTimersByTimeAsync(999);
    expect(await settled(Promise.race(others))).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    const second = await Promise.race(others);
    expect(second).toEqual({ probe: true });

    g.settle(second!, 'up');
    expect(g.paused).toBe(false);
    expect(await Promise.all(others)).toContainEqual({ probe: false });
  });

  it("waits at least the destination's Retry-After before the next probe", async () => {
    const g = gate();
    await pauseIt(g);
    await jest.advanceTimersByTimeAsync(500);
    const probe = (await g.admit(never))!;
    g.settle(probe, 'down', 30000);
    const next = g.admit(never);
    await jest.advanceTimersByTimeAsync(29999);
    expect(await settled(next)).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(await next).toEqual({ probe: true });
  });

  it('counts neither way an attempt that never reached the destination, and frees its probe slot', async () => {
    const g = gate();
    await pauseIt(g);
    await jest.advanceTimersByTimeAsync(500);
    g.settle((await g.admit(never))!, 'unknown');
    expect(await g.admit(never)).toEqual({ probe: true });
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
