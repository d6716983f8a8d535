import { eventIdOf } from '../support/event-ids';
import { StoreTier } from './support/store-tier';

/**
 * LiveStore against a real redis-server with the clock in the test's hand: the lifecycle rules that
 * depend on time are asserted by moving the clock, never by waiting.
 */
const NO_GAP = 24 * 3600 * 1000;

describe('LiveStore (store tier)', () => {
  let tier: StoreTier;
  const beat = (roomId: string, liveId: string, anchorId = 'anchor-1') =>
    tier.lives.heartbeat({ roomId, liveId, anchorId, groupId: roomId, timeoutMs: 20000, suspectMs: 10000 });

  beforeAll(async () => {
    // Sweeps here run only when a test says so: no gap guard unless a test asks for it.
    tier = await StoreTier.start({ HEARTBEAT_RATE_PER_SEC: 0, TENCENT_IM_CALLBACK_TOKEN: 'on', SWEEP_GAP_MS: NO_GAP });
  });
  beforeEach(() => tier.reset());
  afterAll(() => tier?.stop());

  it('interrupts a silent live at its suspect point, resumes it on a beat, ends it at its timeout', async () => {
    const start = tier.clock.now();
    expect(await beat('r1', 'l1')).toMatchObject({ kind: 'ok', deadline: start + 20000 });

    await tier.clock.advance(9999);
    expect(await tier.sweep()).toEqual({ interrupted: 0, ended: 0 });
    await tier.clock.advance(1);
    expect(await tier.sweep()).toEqual({ interrupted: 1, ended: 0 });
    expect(await tier.lives.get('r1')).toMatchObject({ state: 'interrupted' });

    await tier.clock.advance(5000);
    expect(await beat('r1', 'l1')).toMatchObject({ kind: 'ok', deadline: start + 15000 + 20000 });
    expect(await tier.lives.get('r1')).toMatchObject({ state: 'live', lastHeartbeatAt: start + 15000 });

    await tier.clock.advance(10000);
    expect(await tier.sweep()).toEqual({ interrupted: 1, ended: 0 });
    await tier.clock.advance(9999);
    expect(await tier.sweep()).toEqual({ interrupted: 0, ended: 0 });
    await tier.clock.advance(1);
    expect(await tier.sweep()).toEqual({ interrupted: 0, ended: 1 });
    expect(await tier.lives.get('r1')).toMatchObject({ state: 'ended', reason: 'timeout', endedAt: start + 35000 });

    const events = await tier.outboxEvents('r1');
    expect(events.map((e) => [e.type, e.seq, e.reason ?? null, e.at])).toEqual([
      ['live.started', 1, null, start],
      ['live.interrupted', 2, null, start + 10000],
      ['live.resumed', 3, null, start + 15000],
      ['live.interrupted', 4, null, start + 25000],
      ['live.ended', 5, 'timeout', start + 35000],
    ]);
    expect(events[4].deadline).toBe(start + 35000);
    // Every call that made a transition published it, with its cause.
    expect(tier.published.map((p) => [p.cause, p.transitions.map((t) => `${t.type}:${t.reason ?? ''}`).join()])).toEqual([
      ['heartbeat', 'started:'],
      ['sweep', 'interrupted:'],
      ['heartbeat', 'resumed:'],
      ['sweep', 'interrupted:'],
      ['sweep', 'ended:timeout'],
    ]);
  });

  it('a live silent past its whole timeout when first swept ends at once, dated from its deadline', async () => {
    const start = tier.clock.now();
    await beat('r2', 'l2');
    await tier.clock.advance(25000);
    expect(await tier.sweep()).toEqual({ interrupted: 0, ended: 1 });
    expect((await tier.outboxEvents('r2')).map((e) => [e.type, e.at, e.deadline ?? null])).toEqual([
      ['live.started', start, null],
      ['live.ended', start + 25000, start + 20000],
    ]);
  });

  it('after a gap in sweeping (our own outage), silence counts from when sweeping resumed', async () => {
    tier.env.SWEEP_GAP_MS = 5000;
    await beat('r3', 'l3');
    await tier.sweep();
    await tier.clock.advance(60000); // longer than SWEEP_GAP_MS and than the live's timeout
    expect(await tier.sweep()).toEqual({ interrupted: 0, ended: 0 });
    for (let t = 2000; t <= 8000; t += 2000) {
      await tier.clock.advance(2000);
      expect(await tier.sweep()).toEqual({ interrupted: 0, ended: 0 });
    }
    await tier.clock.advance(1999);
    expect(await tier.sweep()).toEqual({ interrupted: 0, ended: 0 });
    await tier.clock.advance(1); // suspect point counted from the resumption
    expect(await tier.sweep()).toEqual({ interrupted: 1, ended: 0 });
    tier.env.SWEEP_GAP_MS = NO_GAP;
  });

  it('the mass-timeout hold keeps silent lives interrupted; released, they end', async () => {
    await beat('r4', 'l4');
    await tier.sweep();
    for (let i = 0; i < 6; i++) {
      await tier.clock.advance(4000);
      await tier.sweep(true);
    }
    expect(await tier.lives.get('r4')).toMatchObject({ state: 'interrupted' });
    expect(await tier.sweep(false)).toEqual({ interrupted: 0, ended: 1 });
  });

  it('an ended liveId is refused (gone) for the retention, and its record expires by the sweep after it', async () => {
    await beat('r5', 'l5');
    expect(await tier.lives.end('r5', 'l5', 'anchor-1', 'normal')).toEqual({ kind: 'ended', reason: 'normal', liveId: 'l5' });
    expect(await tier.lives.end('r5', 'l5', 'anchor-1', 'normal')).toEqual({ kind: 'already', reason: 'normal', liveId: 'l5' });
    expect(await beat('r5', 'l5')).toEqual({ kind: 'gone', reason: 'normal' });
    // The retained record is the ended live's tombstone: no key of its own while it lasts.
    expect(await tier.redis.exists(tier.keys.gone(tier.keys.shardOf('r5'), 'r5', 'l5'))).toBe(0);

    await tier.clock.advance(tier.env.ENDED_RETENTION_MS - 1);
    await tier.sweep();
    expect(await tier.lives.get('r5')).toMatchObject({ state: 'ended', reason: 'normal' });
    await tier.clock.advance(1);
    expect(await tier.lives.get('r5')).toBeNull(); // past retention: gone before the sweep removes it
    await tier.sweep();
    expect(await tier.redis.hexists(tier.keys.rooms(tier.keys.shardOf('r5')), 'r5')).toBe(0);
  });

  it('an ended live replaced in its room by a new one stays refused for the rest of its retention (tombstone key)', async () => {
    await beat('r9', 'l9');
    await tier.lives.end('r9', 'l9', 'anchor-1', 'normal');
    await tier.clock.advance(60000);
    expect(await beat('r9', 'l9-next')).toMatchObject({ kind: 'ok' });
    expect(await beat('r9', 'l9')).toEqual({ kind: 'gone', reason: 'normal' });
    expect(await tier.lives.end('r9', 'l9', 'anchor-1', 'normal')).toEqual({ kind: 'already', reason: 'normal', liveId: 'l9' });
    // A Redis TTL runs on real time: the rest of the retention is what is checked.
    const ttl = await tier.redis.pttl(tier.keys.gone(tier.keys.shardOf('r9'), 'r9', 'l9'));
    expect(ttl).toBeGreaterThan(tier.env.ENDED_RETENTION_MS - 60000 - 60000);
    expect(ttl).toBeLessThanOrEqual(tier.env.ENDED_RETENTION_MS - 60000);
    // Superseded lives too, for a whole retention.
    await beat('r9', 'l9-third');
    expect(await beat('r9', 'l9-next')).toEqual({ kind: 'gone', reason: 'superseded' });
  });

  it('a new liveId supersedes the running one: superseded end (no viewer notice) and a new start', async () => {
    await beat('r6', 'old', 'anchor-a');
    expect(await tier.redis.hget(tier.keys.anchors(tier.keys.shardOf('r6'), 'anchor-a'), 'anchor-a')).toBe('r6');
    await tier.clock.advance(1000);
    expect(await beat('r6', 'new', 'anchor-b')).toMatchObject({ kind: 'ok' });
    expect((await tier.outboxEvents('r6')).map((e) => [e.id, e.type, e.reason ?? null])).toEqual([
      [eventIdOf('old', 1), 'live.started', null],
      [eventIdOf('old', 2), 'live.ended', 'superseded'],
      [eventIdOf('new', 1), 'live.started', null],
    ]);
    // The old live's tombstone and anchor index entry, derived in Lua, are the keys KeyLayout names.
    expect(await beat('r6', 'old', 'anchor-a')).toEqual({ kind: 'gone', reason: 'superseded' });
    expect(await tier.redis.hget(tier.keys.anchors(tier.keys.shardOf('r6'), 'anchor-a'), 'anchor-a')).toBeNull();
    expect(await tier.lives.roomOfAnchor('anchor-b')).toBe('r6');
    expect(tier.published.at(-1)).toEqual({
      cause: 'heartbeat',
      transitions: expect.arrayContaining([
        { type: 'ended', reason: 'superseded', count: 1 },
        { type: 'started', reason: null, count: 1 },
      ]),
    });
  });

  it('IM disconnects and reconnects are published and counted in led_transitions_total', async () => {
    await beat('r7', 'l7', 'anchor-7');
    // A report without EventTime counts as of now; one at the very millisecond of a beat (or of a newer report) is older news.
    expect(await tier.lives.anchorDisconnected('r7', 'anchor-7', '', 3000, 0)).toEqual({ outcome: 'ignored', why: 'heartbeat since' });
    await tier.clock.advance(1);
    expect(await tier.lives.anchorDisconnected('r7', 'anchor-7', '', 3000, 0)).toEqual({ outcome: 'interrupted', why: undefined });
    await tier.clock.advance(1);
    expect(await tier.lives.anchorReconnected('r7', 'anchor-7', '', 0)).toEqual({ outcome: 'resumed', why: undefined });
    expect(await tier.lives.anchorDisconnected('r7', 'anchor-7', '', 3000, 0)).toEqual({
      outcome: 'ignored',
      why: 'not newer than the last report',
    });
    await tier.clock.advance(1);
    expect(await tier.lives.anchorDisconnected('r7', 'anchor-7', '', 3000, 0)).toMatchObject({ outcome: 'interrupted' });
    await tier.clock.advance(2999);
    expect(await tier.sweep()).toEqual({ interrupted: 0, ended: 0 });
    await tier.clock.advance(1);
    expect(await tier.sweep()).toEqual({ interrupted: 0, ended: 1 });
    expect(await tier.lives.get('r7')).toMatchObject({ state: 'ended', reason: 'disconnect' });

    const counted = (await tier.metrics.registry.getSingleMetric('led_transitions_total')!.get()).values;
    const count = (type: string, reason: string) => counted.find((v) => v.labels.type === type && v.labels.reason === reason)?.value;
    expect(count('interrupted', 'disconnect')).toBe(2);
    expect(count('resumed', '')).toBe(1);
    expect(count('ended', 'disconnect')).toBe(1);
    expect(tier.published.filter((p) => p.cause === 'im-callback')).toHaveLength(3);
  });

  it('never gives two events one id: not after lost writes bring a seq back, not for a liveId used again', async () => {
    const shard = tier.keys.shardOf('r8');
    await beat('r8', 'l8');
    // What a lagging replica holds: the record as it was after the start.
    const replicaCopy = await tier.redis.hgetBuffer(tier.keys.rooms(shard), 'r8');
    await tier.clock.advance(10000);
    await tier.sweep(); // interrupted, seq 2
    await beat('r8', 'l8'); // resumed, seq 3
    // Failover to that replica: the two writes are lost (the outbox entries were already delivered).
    await tier.redis.hset(tier.keys.rooms(shard), 'r8', replicaCopy!);
    await tier.redis.zadd(tier.keys.due(shard), tier.clock.now() + 10000, 'r8');
    expect(await tier.lives.end('r8', 'l8', 'anchor-1', 'normal')).toMatchObject({ kind: 'ended' });

    const events = await tier.outboxEvents('r8');
    expect(events.map((e) => [e.type, e.seq])).toEqual([
      ['live.started', 1],
      ['live.interrupted', 2],
      ['live.resumed', 3],
      ['live.ended', 2],
    ]);
    expect(new Set(events.map((e) => e.id)).size).toBe(4);

    // The same liveId again once forgotten (tombstone and record gone): its events get new ids too.
    await tier.redis.del(tier.keys.gone(shard, 'r8', 'l8'));
    await tier.clock.advance(tier.env.ENDED_RETENTION_MS);
    await tier.sweep();
    await beat('r8', 'l8');
    const again = (await tier.outboxEvents('r8')).at(-1)!;
    expect(again).toMatchObject({ type: 'live.started', seq: 1, id: eventIdOf('l8', 1) });
    expect(again.id).not.toBe(events[0].id);
  });
});
