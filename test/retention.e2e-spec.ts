import { startTestApp, TestApp } from './support/test-app';
import { startTestRedis, TestRedis } from './support/test-redis';
import { waitFor } from './support/wait-for';

/**
 * Ended lives are kept for ENDED_RETENTION_MS (readable, their liveId refused with 410), then they are
 * gone: room records are fields of a per-shard hash, which has no TTL, so the sweep removes them.
 */
describe('ended lives are kept for ENDED_RETENTION_MS, then removed', () => {
  let redis: TestRedis;
  let svc: TestApp;

  beforeAll(async () => {
    redis = await startTestRedis();
    svc = await startTestApp({ ...redis.env, NOTIFIERS: 'log', ENDED_RETENTION_MS: '1500' });
  });

  afterAll(async () => {
    await svc?.close();
    await redis?.destroy();
  });

  const beat = (roomId: string, liveId: string) => svc.post(`/v1/rooms/${roomId}/heartbeat`, { liveId, anchorId: 'keeper' });
  const stored = async () => {
    const client = redis.client();
    try {
      const rooms = await Promise.all((await redis.keys('led:{*}:rooms')).map((key) => client.hkeys(key)));
      return rooms.flat();
    } finally {
      client.disconnect();
    }
  };

  it('shows an ended live and refuses its liveId while retained; afterwards the room is idle and nothing is left in Redis', async () => {
    expect((await beat('kept-room', 'kept-live')).status).toBe(200);
    expect((await svc.post('/v1/rooms/kept-room/end', { liveId: 'kept-live', anchorId: 'keeper' })).status).toBe(200);
    expect((await svc.get('/v1/rooms/kept-room')).body).toMatchObject({ state: 'ended', liveId: 'kept-live', reason: 'normal' });
    expect((await beat('kept-room', 'kept-live')).status).toBe(410);
    expect(await stored()).toContain('kept-room');

    await waitFor(async () => (await svc.get('/v1/rooms/kept-room')).body.state === 'idle', 15000, 'the ended live to expire');
    await waitFor(async () => !(await stored()).includes('kept-room'), 15000, 'the sweep to remove the record');
    expect(await redis.keys('led:{*}:gone:kept-room:*')).toEqual([]);
  });

  it('a new live in the room of a retained ended one replaces it and is not removed with it', async () => {
    await beat('reused-room', 'first-live');
    await svc.post('/v1/rooms/reused-room/end', { liveId: 'first-live', anchorId: 'keeper' });
    expect((await beat('reused-room', 'second-live')).status).toBe(200);
    // Past the first live's retention, the second one (still beating) is there as it was.
    const until = Date.now() + 2500;
    while (Date.now() < until) {
      expect((await beat('reused-room', 'second-live')).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await svc.get('/v1/rooms/reused-room')).body).toMatchObject({ state: 'live', liveId: 'second-live' });
  });

  it('keeps no anchor index when IM callbacks are off (nothing would read it)', async () => {
    await beat('unindexed-room', 'unindexed-live');
    expect(await redis.keys('led:{*}:anchors*')).toEqual([]);
  });
});
