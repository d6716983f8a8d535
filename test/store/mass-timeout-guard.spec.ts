import { StoreTier } from './support/store-tier';

/**
 * The mass-timeout guard driven as the sweeper drives it (ask, sweep with its answer, record the endings),
 * against a real redis-server, with the clock moved by hand: 10 lives of which some fall silent together.
 */
describe('MassTimeoutGuard (store tier)', () => {
  let tier: StoreTier;
  const rooms = Array.from({ length: 10 }, (_, i) => `g-room-${i}`);
  const beat = (roomId: string) =>
    tier.lives.heartbeat({ roomId, liveId: `${roomId}-live`, anchorId: 'a', groupId: roomId, timeoutMs: 20000, suspectMs: 10000 });

  beforeAll(async () => {
    tier = await StoreTier.start({
      HEARTBEAT_RATE_PER_SEC: 0,
      SWEEP_GAP_MS: 24 * 3600 * 1000,
      GUARD_ENABLED: true,
      GUARD_MIN_COUNT: 4,
      GUARD_MAX_SHARE: 0.3,
      GUARD_WINDOW_MS: 60000,
    });
  });
  beforeEach(() => tier.reset());
  afterAll(() => tier?.stop());

  /** Moves the clock, beats the rooms still beating, then one sweep as SweeperService runs it. */
  const tick = async (ms: number, beating: string[]) => {
    await tier.clock.advance(ms);
    for (const roomId of beating) await beat(roomId);
    const hold = await tier.guard.shouldHold();
    const { ended } = await tier.sweep(hold);
    await tier.guard.recordEndings(ended);
    return { hold, ended };
  };
  const states = async () => Promise.all(rooms.map(async (r) => (await tier.lives.get(r))?.state));
  const engagedGauge = async () => (await tier.metrics.registry.getSingleMetric('led_guard_engaged')!.get()).values[0].value;

  it('holds the endings when too many lives fall silent at once, and lets them through as they come back', async () => {
    for (const roomId of rooms) await beat(roomId);
    const silent = rooms.slice(0, 5);
    const beating = rooms.slice(5);
    let held = false;
    for (let t = 0; t < 30000; t += 2000) held = (await tick(2000, beating)).hold || held;
    expect(held).toBe(true);
    expect(await tier.guard.status()).toMatchObject({ engaged: true, dueToEnd: 5, endedInWindow: 0, tracked: 10 });
    expect(await engagedGauge()).toBe(1);
    // 30 s of silence, past the 20 s timeout: held interrupted, not ended.
    expect((await states()).slice(0, 5)).toEqual(Array(5).fill('interrupted'));

    // Three come back: two would end, fewer than GUARD_MIN_COUNT: released, and those two end.
    const back = silent.slice(0, 3);
    const { hold, ended } = await tick(2000, [...beating, ...back]);
    expect({ hold, ended }).toEqual({ hold: false, ended: 2 });
    expect(await engagedGauge()).toBe(0);
    expect(await states()).toEqual([...Array(3).fill('live'), 'ended', 'ended', ...Array(5).fill('live')]);
    expect(await tier.guard.status()).toMatchObject({ engaged: false, endedInWindow: 2, dueToEnd: 0 });

    // The endings count for one window (six buckets of 10 s), then no longer.
    await tick(40000, rooms.slice(0, 3).concat(beating));
    expect((await tier.guard.status()).endedInWindow).toBe(2);
    await tick(30000, rooms.slice(0, 3).concat(beating));
    expect((await tier.guard.status()).endedInWindow).toBe(0);
  });

  it("an operator's release lets the held endings through", async () => {
    for (const roomId of rooms) await beat(roomId);
    for (let t = 0; t < 24000; t += 2000) await tick(2000, rooms.slice(5));
    expect(await tier.guard.status()).toMatchObject({ engaged: true, dueToEnd: 5 });

    const released = await tier.guard.release();
    expect(released).toMatchObject({ engaged: false, dueToEnd: 5 });
    expect(released.releasedUntil).toBeGreaterThan(tier.clock.now());
    expect(await tick(1000, rooms.slice(5))).toEqual({ hold: false, ended: 5 });
    expect((await states()).slice(0, 5)).toEqual(Array(5).fill('ended'));
  });
});
