import type { HeartbeatOutcome } from '../../src/store/live-record';
import type { HeartbeatInput } from '../../src/store/live-store';
import { decodeRoomRecord } from '../../src/store/room-record';
import { StoreTier } from './support/store-tier';

type Path = 'heartbeat' | 'heartbeats';

/**
 * The heartbeat scripts' steady path (a running live beats again) rewrites the packed record itself, and the
 * gateway path writes a batch's steady beats together; these assert that both leave what the full path leaves
 * and answer what the full path answers, rate limit included.
 */
describe.each<Path>(['heartbeat', 'heartbeats'])('steady heartbeats through LiveStore.%s (store tier)', (path) => {
  let tier: StoreTier;
  const take = async (input: HeartbeatInput) => {
    if (path === 'heartbeat') return tier.lives.heartbeat(input);
    const [outcome] = await tier.lives.heartbeats([input]);
    if (outcome instanceof Error) throw outcome;
    return outcome;
  };
  const beatOf = (roomId: string, extra: { anchorId?: string; timeoutMs?: number; suspectMs?: number; groupId?: string } = {}) => ({
    roomId,
    liveId: `${roomId}-live`,
    anchorId: 'anchor-1',
    groupId: roomId,
    timeoutMs: 20000,
    suspectMs: 10000,
    ...extra,
  });
  const beat = (roomId: string, extra: Parameters<typeof beatOf>[1] = {}) => take(beatOf(roomId, extra));
  const record = async (roomId: string) => {
    const packed = await tier.redis.hgetBuffer(tier.keys.rooms(tier.keys.shardOf(roomId)), roomId);
    return decodeRoomRecord(roomId, packed!);
  };

  beforeAll(async () => {
    // 2 beats a second on average, 3 at once.
    tier = await StoreTier.start({ HEARTBEAT_RATE_PER_SEC: 2, HEARTBEAT_RATE_BURST: 3, SWEEP_GAP_MS: 24 * 3600 * 1000 });
  });
  beforeEach(() => tier.reset());
  afterAll(() => tier?.stop());

  it('moves lastHeartbeatAt and the deadline, keeps startedAt, seq and groupId, takes a new timeout', async () => {
    const start = tier.clock.now();
    expect(await beat('s1', { groupId: '@TGS#g' })).toMatchObject({ kind: 'ok', deadline: start + 20000 });
    await tier.clock.advance(5000);
    expect(await beat('s1', { groupId: 'ignored-after-start', timeoutMs: 30000, suspectMs: 15000 })).toEqual({
      kind: 'ok',
      deadline: start + 35000,
      transitions: [],
    });
    expect(await record('s1')).toMatchObject({
      state: 'live',
      liveId: 's1-live',
      anchorId: 'anchor-1',
      groupId: '@TGS#g',
      startedAt: start,
      lastHeartbeatAt: start + 5000,
      timeoutMs: 30000,
      suspectMs: 15000,
      seq: 1,
      pendingReason: null,
    });
    expect(Number(await tier.redis.zscore(tier.keys.due(tier.keys.shardOf('s1')), 's1'))).toBe(start + 20000);
    // Judged at the new suspect point, not the old one.
    await tier.clock.advance(14999);
    expect(await tier.sweep()).toEqual({ interrupted: 0, ended: 0 });
    await tier.clock.advance(1);
    expect(await tier.sweep()).toEqual({ interrupted: 1, ended: 0 });
  });

  it('limits the rate as the full path does, and refuses another anchor after the rate check', async () => {
    const start = tier.clock.now();
    await beat('s2');
    expect(await beat('s2')).toMatchObject({ kind: 'ok' });
    expect(await beat('s2')).toMatchObject({ kind: 'ok' });
    // The burst of 3 is spent: the next beat may come in 500 ms (one interval at 2 a second).
    expect(await beat('s2')).toEqual({ kind: 'limited', retryAfterMs: 500 });
    expect(await beat('s2', { anchorId: 'intruder' })).toEqual({ kind: 'limited', retryAfterMs: 500 });
    await tier.clock.advance(500);
    expect(await beat('s2', { anchorId: 'intruder' })).toEqual({ kind: 'conflict' });
    expect(await beat('s2')).toMatchObject({ kind: 'ok', deadline: start + 500 + 20000 });
    expect(await beat('s2')).toMatchObject({ kind: 'limited' });
    // A steady beater (one beat every 5 s) is never limited, and its record keeps no rate debt.
    for (let i = 0; i < 5; i++) {
      await tier.clock.advance(5000);
      expect(await beat('s2')).toMatchObject({ kind: 'ok' });
    }
    expect((await record('s2')).lastHeartbeatAt).toBe(start + 25500);
  });

  it('keeps a presence report IM dates after the beats (its clock ahead of ours), as the full path does', async () => {
    await beat('s4');
    const t = tier.clock.now();
    expect(await tier.lives.anchorDisconnected('s4', 'anchor-1', 's4', 30000, t + 20000)).toMatchObject({ outcome: 'interrupted' });
    await tier.clock.advance(1000);
    // The resume takes the full path, the next beat the steady one; through the gateway both come in one batch.
    const beats = path === 'heartbeat' ? [await beat('s4'), await beat('s4')] : await tier.lives.heartbeats([beatOf('s4'), beatOf('s4')]);
    expect(beats.map((b) => (b as HeartbeatOutcome).kind)).toEqual(['ok', 'ok']);
    expect((await record('s4')).lastPresence).toEqual({ at: t + 20000, online: false });
    // IM's next report, dated before the kept one, is older by IM's own clock.
    expect(await tier.lives.anchorDisconnected('s4', 'anchor-1', 's4', 30000, t + 10000)).toEqual({
      outcome: 'ignored',
      why: 'not newer than the last report',
    });
    // Once our clock passes the report's date, a beat outranks it.
    await tier.clock.advance(20000);
    await beat('s4');
    expect((await record('s4')).lastPresence).toBeNull();
  });

  it('leaves interrupted, ended and another live to the full path', async () => {
    await beat('s3');
    await tier.lives.end('s3', 's3-live', 'anchor-1', 'normal');
    expect(await beat('s3')).toMatchObject({ kind: 'gone', reason: 'normal' });
    expect(
      await take({ roomId: 's3', liveId: 'next', anchorId: 'anchor-1', groupId: 's3', timeoutMs: 20000, suspectMs: 10000 }),
    ).toMatchObject({
      kind: 'ok',
      transitions: [{ type: 'started', reason: null, count: 1 }],
    });
  });
});

describe('a batch of heartbeats (store tier)', () => {
  let tier: StoreTier;
  beforeAll(async () => {
    tier = await StoreTier.start({ HEARTBEAT_RATE_PER_SEC: 2, HEARTBEAT_RATE_BURST: 3, SWEEP_GAP_MS: 24 * 3600 * 1000, SHARDS: 1 });
  });
  beforeEach(() => tier.reset());
  afterAll(() => tier?.stop());

  /** A beat of `room` (named under `prefix`), with the live `${room}-${live}` of anchor `anchor`. */
  const input = (prefix: string, room: string, live = 'a', anchor = 'anchor-1'): HeartbeatInput => ({
    roomId: `${prefix}${room}`,
    liveId: `${prefix}${room}-${live}`,
    anchorId: anchor,
    groupId: `${prefix}${room}`,
    timeoutMs: 20000,
    suspectMs: 10000,
  });

  it('answers and leaves what the same beats one at a time do: repeats, starts, supersedes, ends, limits, conflicts', async () => {
    // Rooms r1-r4 running, r4 then ended; the batch (one shard: one script call) mixes every kind of beat,
    // some rooms more than once, so steady beats written together sit between beats that take the full path.
    const setUp = async (prefix: string) => {
      for (const room of ['r1', 'r2', 'r3', 'r4']) await tier.lives.heartbeat(input(prefix, room));
      await tier.lives.end(`${prefix}r4`, `${prefix}r4-a`, 'anchor-1', 'normal');
    };
    const batch = (prefix: string) => [
      input(prefix, 'r1'),
      input(prefix, 'r2'),
      input(prefix, 'r1'),
      input(prefix, 'r3', 'a', 'intruder'),
      input(prefix, 'r4'),
      input(prefix, 'r5'),
      input(prefix, 'r5'),
      input(prefix, 'r2', 'b'),
      input(prefix, 'r2', 'b'),
      input(prefix, 'r1'),
      input(prefix, 'r1'),
      input(prefix, 'r3'),
    ];
    const normalize = (value: unknown, prefix: string) => JSON.parse(JSON.stringify(value ?? null).replaceAll(prefix, ''));

    await setUp('one-');
    const one: HeartbeatOutcome[] = [];
    for (const beat of batch('one-')) one.push(await tier.lives.heartbeat(beat));
    await setUp('many-');
    const many = await tier.lives.heartbeats(batch('many-'));

    expect(many.map((o) => normalize(o, 'many-'))).toEqual(one.map((o) => normalize(o, 'one-')));
    expect(one.map((o) => o.kind)).toEqual(['ok', 'ok', 'ok', 'conflict', 'gone', 'ok', 'ok', 'ok', 'limited', 'limited', 'limited', 'ok']);
    const shard = tier.keys.shardOf('one-r1');
    for (const room of ['r1', 'r2', 'r3', 'r4', 'r5']) {
      const [a, b] = await Promise.all(
        ['one-', 'many-'].map(async (prefix) => ({
          record: normalize(
            decodeRoomRecord(`${prefix}${room}`, (await tier.redis.hgetBuffer(tier.keys.rooms(shard), `${prefix}${room}`))!),
            prefix,
          ),
          due: await tier.redis.zscore(tier.keys.due(shard), `${prefix}${room}`),
        })),
      );
      expect({ room, ...b }).toEqual({ room, ...a });
    }
    const events = (prefix: string) =>
      tier
        .outboxEvents(`${prefix}r1`)
        .then((all) =>
          all.filter((e) => String(e.roomId).startsWith(prefix)).map((e) => `${normalize(e.roomId, prefix)} ${e.type} ${e.reason ?? ''}`),
        );
    expect(await events('many-')).toEqual(await events('one-'));
  });
});
