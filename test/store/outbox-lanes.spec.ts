import { StoreTier } from './support/store-tier';

/**
 * The outbox as the store writes it and delivery reads it: the events LiveStore's scripts append are what the
 * lanes take (OutboxStore, lane-take-2.lua / lane-done-3.lua), whole and in seq order.
 */
describe('outbox lanes read what the store wrote (store tier)', () => {
  let tier: StoreTier;
  const ordered = { name: 'webhook#0', ordered: true };
  const unordered = { name: 'tencent-im', ordered: false };

  beforeAll(async () => {
    tier = await StoreTier.start({ HEARTBEAT_RATE_PER_SEC: 0, SWEEP_GAP_MS: 24 * 3600 * 1000 });
  });
  beforeEach(() => tier.reset());
  afterAll(() => tier?.stop());

  it('an ordered lane hands out one live event at a time in seq order; an unordered lane takes them all', async () => {
    const shard = tier.keys.shardOf('o-room');
    tier.outbox.useLanes([ordered, unordered]);
    expect(await tier.outbox.ensureLanes([shard])).toBe(2);
    const beat = () =>
      tier.lives.heartbeat({ roomId: 'o-room', liveId: 'o-live', anchorId: 'a', groupId: 'o-room', timeoutMs: 20000, suspectMs: 10000 });
    await beat();
    await tier.clock.advance(10000);
    await tier.sweep();
    await beat();
    await tier.lives.end('o-room', 'o-live', 'a', 'normal');
    const written = await tier.outboxEvents('o-room');
    expect(written.map((e) => e.type)).toEqual(['live.started', 'live.interrupted', 'live.resumed', 'live.ended']);

    const all = await tier.outbox.take(shard, unordered, 'replica-1', 10);
    expect(all.map((entry) => entry.event)).toEqual(written);

    const [first, ...parked] = await tier.outbox.take(shard, ordered, 'replica-1', 10);
    let entry: typeof first | null = first;
    expect(parked).toEqual([]);
    const handed = [];
    while (entry) {
      handed.push(entry.event);
      entry = (await tier.outbox.finish(entry, ordered, 'replica-1'))!;
    }
    expect(handed).toEqual(written);
  });
});
