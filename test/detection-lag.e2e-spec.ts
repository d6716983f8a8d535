import { startTestApp, TestApp } from './support/test-app';
import { startTestRedis, TestRedis } from './support/test-redis';
import { sleep, waitFor } from './support/wait-for';

/**
 * A live ends soon after its deadline, not at the next full sweep pass: the sweeper comes back to a shard
 * when its earliest live falls due. Full passes are the default 1 s apart, so ending within 500 ms of every
 * deadline is what the timers give, not chance (five lives, deadlines spread over a whole pass).
 */
describe('detection lag', () => {
  let redis: TestRedis;
  let svc: TestApp;

  beforeAll(async () => {
    redis = await startTestRedis();
    svc = await startTestApp({
      ...redis.env,
      SWEEP_INTERVAL_MS: '1000',
      SWEEP_GAP_MS: '2000',
      HEARTBEAT_TIMEOUT_MS: '3000',
      SUSPECT_AFTER_MS: '2000',
      HEARTBEAT_INTERVAL_MS: '500',
    });
  });

  afterAll(async () => {
    await svc?.close();
    await redis?.destroy();
  });

  it('ends every silent live within half the sweep interval past its deadline', async () => {
    const deadlines = new Map<string, number>();
    for (let i = 0; i < 5; i++) {
      const roomId = `lag-room-${i}`;
      const beat = await svc.post(`/v1/rooms/${roomId}/heartbeat`, { liveId: `lag-live-${i}`, anchorId: 'a' });
      expect(beat.status).toBe(200);
      deadlines.set(roomId, beat.body.deadline);
      await sleep(200);
    }
    for (const [roomId, deadline] of deadlines) {
      const status = await waitFor(
        async () => {
          const body = (await svc.get(`/v1/rooms/${roomId}`)).body;
          return body.state === 'ended' && body;
        },
        10000,
        `${roomId} ended`,
      );
      expect(status.reason).toBe('timeout');
      expect(status.endedAt).toBeGreaterThanOrEqual(deadline);
      expect(status.endedAt - deadline).toBeLessThan(500);
    }
  });
});
