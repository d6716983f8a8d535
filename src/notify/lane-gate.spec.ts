import { LaneGate, MAX_RETRY_AFTER_MS, PAUSE_AFTER_FAILURES, RECOVERED_AT } from './lane-gate';

describe('LaneGate', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  const never = new AbortController().signal;
  /** A gate whose probe delay is always the ceiling's half (random 0): 500, 1000, 2000 … up to 5000 ms. */
  const gate = () => new LaneGate(1000, 10000, Date.now, () => 0);
  const pauseIt = async (g: LaneGate) => {
    for (let i = 0; i < PAUSE_AFTER_FAILURES; i++) g.settle((await g.admit(never, 1))!, 'down');
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
    for (let i = 0; i < PAUSE_AFTER_FAILURES - 1; i++) g.settle((await g.admit(never, 1))!, 'down');
    g.settle((await g.admit(never, 1))!, 'up');
    for (let i = 0; i < PAUSE_AFTER_FAILURES - 1; i++) g.settle((await g.admit(never, 1))!, 'down');
    expect(g.paused).toBe(false);
    expect(await g.admit(never, 1)).toMatchObject({ counted: false });
  });

  it('once paused, sends one probe at a time after the backoff; a failed probe doubles the wait', async () => {
    const g = gate();
    await pauseIt(g);
    expect(g.paused).toBe(true);
    const waiting = [g.admit(never, 1), g.admit(never, 1), g.admit(never, 1)];
    expect(await through(waiting)).toBe(0);

    await jest.advanceTimersByTimeAsync(500);
    expect(await through(waiting)).toBe(1);
    const probe = await Promise.race(waiting);
    expect(probe).toMatchObject({ counted: true });

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
    g.settle((await g.admit(never, 1))!, 'up');

    // Allowance 2: two go, the third waits until one of them answers; each success lets one more go.
    const waiting = [g.admit(never, 1), g.admit(never, 1), g.admit(never, 1)];
    expect(await through(waiting)).toBe(2);
    g.settle((await waiting[0])!, 'up'); // 3
    expect(await through(waiting)).toBe(3);
    g.settle((await waiting[1])!, 'up'); // 4
    g.settle((await waiting[2])!, 'up'); // 5

    // Each round of answers doubles the allowance, until RECOVERED_AT.
    for (let allowance = 5; allowance < RECOVERED_AT; allowance *= 2) {
      expect(g.paused).toBe(true);
      const passes = await Promise.all(Array.from({ length: allowance }, () => g.admit(never, 1)));
      expect(passes.every((p) => p!.counted)).toBe(true);
      const oneMore = new AbortController();
      expect(await through([g.admit(oneMore.signal, 1)])).toBe(0);
      oneMore.abort();
      for (const p of passes) g.settle(p!, 'up');
    }
    expect(g.paused).toBe(false);
    expect(await g.admit(never, 1)).toMatchObject({ counted: false });

    // Recovering again: the first failure pauses, with no PAUSE_AFTER_FAILURES grace.
    await pauseIt(g);
    await jest.advanceTimersByTimeAsync(5000);
    g.settle((await g.admit(never, 1))!, 'up');
    g.settle((await g.admit(never, 1))!, 'down');
    expect(await through([g.admit(never, 1)])).toBe(0);
  });

  it("waits at least the destination's Retry-After before the next probe", async () => {
    const g = gate();
    await pauseIt(g);
    await jest.advanceTimersByTimeAsync(500);
    g.settle((await g.admit(never, 1))!, 'down', 30000);
    const next = [g.admit(never, 1)];
    await jest.advanceTimersByTimeAsync(29999);
    expect(await through(next)).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(await through(next)).toBe(1);
  });

  it('counts neither way an attempt that never reached the destination, and frees its place', async () => {
    const g = gate();
    await pauseIt(g);
    await jest.advanceTimersByTimeAsync(500);
    g.settle((await g.admit(never, 1))!, 'unknown');
    expect(await g.admit(never, 1)).toMatchObject({ counted: true });
  });

  it('lets the waiter with the fewest attempts go first, so a probe is a fresh event whenever one waits', async () => {
    const g = gate();
    await pauseIt(g);
    const retried = g.admit(never, 7);
    const fresh = g.admit(never, 1);
    await jest.advanceTimersByTimeAsync(500);
    expect(await through([retried])).toBe(0);
    expect(await fresh).toMatchObject({ probe: true, attempt: 1 });
  });

  it('takes failures of retried events as theirs, not the destination: they neither pause the lane nor keep it paused', async () => {
    const g = gate();
    for (let i = 0; i < 3 * PAUSE_AFTER_FAILURES; i++) g.settle((await g.admit(never, 2))!, 'down');
    expect(g.paused).toBe(false);

    // Recovering after a pause: a retried event failing changes nothing, a fresh one failing pauses again.
    await pauseIt(g);
    await jest.advanceTimersByTimeAsync(500);
    g.settle((await g.admit(never, 1))!, 'up');
    g.settle((await g.admit(never, 3))!, 'down');
    expect(await through([g.admit(never, 1)])).toBe(1);
  });

  it('is not stalled by a probe timer that fires early', async () => {
    // Once paused, the gate's clock falls 1 ms behind the timers': the probe timer fires "before" its time.
    let behind = 0;
    const g = new LaneGate(
      1000,
      10000,
      () => Date.now() - behind,
      () => 0,
    );
    await pauseIt(g);
    behind = 1;
    const waiting = [g.admit(never, 1)];
    await jest.advanceTimersByTimeAsync(500);
    expect(await through(waiting)).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(await through(waiting)).toBe(1);
  });

  it('honours a Retry-After up to MAX_RETRY_AFTER_MS', async () => {
    const g = gate();
    await pauseIt(g);
    await jest.advanceTimersByTimeAsync(500);
    g.settle((await g.admit(never, 1))!, 'down', 50 * MAX_RETRY_AFTER_MS);
    const next = [g.admit(never, 1)];
    await jest.advanceTimersByTimeAsync(MAX_RETRY_AFTER_MS - 1);
    expect(await through(next)).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(await through(next)).toBe(1);
  });

  it('answers null to a waiter whose signal aborts', async () => {
    const g = gate();
    await pauseIt(g);
    const abort = new AbortController();
    const waiting = g.admit(abort.signal, 1);
    abort.abort();
    expect(await waiting).toBeNull();
  });
});
