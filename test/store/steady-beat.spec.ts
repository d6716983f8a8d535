import { decodeRoomRecord } from '../../src/store/room-record';
import { StoreTier } from './support/store-tier';

/**
 * The heartbeat script's steady path (a running live beats again) rewrites the packed record itself; these
 * assert that it leaves what the full path leaves and answers what the full path answers, rate limit included.
 */
describe('steady heartbeats (store tier)', () => {
  let tier: StoreTier;
  const beat = (roomId: string, extra: { anchorId?: string; timeoutMs?: number; suspectMs?: number; groupId?: string } = {}) =>
    tier.lives.heartbeat({
      roomId,
      liveId: `${roomId}-live`,
      anchorId: 'anchor-1',
      groupId: roomId,
      timeoutMs: 20000,
      suspectMs: 10000,
      ...extra,
    });
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

  it('leaves interrupted, ended and another live to the full path', async () => {
    await beat('s3');
    await tier.lives.end('s3', 's3-live', 'anchor-1', 'normal');
    expect(await beat('s3')).toMatchObject({ kind: 'gone', reason: 'normal' });
    expect(
      await tier.lives.heartbeat({ roomId: 's3', liveId: 'next', anchorId: 'anchor-1', groupId: 's3', timeoutMs: 20000, suspectMs: 10000 }),
    ).toMatchObject({
      kind: 'ok',
      transitions: [{ type: 'started', reason: null, count: 1 }],
    });
  });
});
