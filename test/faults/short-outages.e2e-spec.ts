import { AnchorClient } from '../../clients/anchor-client/src';
import { DetectionStack } from '../support/detection-stack';
import { ServiceRun } from '../support/service-run';
import { sleep, waitFor } from '../support/wait-for';

const ANCHORS = 5;
const REPETITIONS = 10;

/**
 * Issue 13, case 5: ten 3–4 s outages of the only replica, with default timings but a 5 s room timeout (the room
 * beats every 1.25 s and is suspect after 2.5 s), and a 4 s freeze of it: no false LIVE_INTERRUPTED or LIVE_ENDED.
 * Start-up refuses a gap threshold above the suspect point.
 */
describe('short outages of our own (issue 13 case 5)', () => {
  let stack: DetectionStack;

  beforeAll(async () => {
    // The production defaults: every timing derived from HEARTBEAT_TIMEOUT_MS (an empty value unsets the test default).
    stack = await DetectionStack.start({
      HEARTBEAT_TIMEOUT_MS: '20000',
      SUSPECT_AFTER_MS: '',
      HEARTBEAT_INTERVAL_MS: '',
      TIMEOUT_MIN_MS: '',
      TIMEOUT_MAX_MS: '',
      SWEEP_INTERVAL_MS: '',
      SWEEP_GAP_MS: '',
      HEARTBEAT_RATE_PER_SEC: '',
      HEARTBEAT_RATE_BURST: '',
      TENCENT_IM_DISCONNECT_GRACE_MS: '',
    });
  });

  const afterAllStop: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const stop of afterAllStop) await stop();
    await stack?.stop();
  });

  it('ten 3-4 s outages of the only replica and a 4 s freeze: viewers and the backend hear nothing false', async () => {
    const beats: number[][] = [];
    const anchors = Array.from({ length: ANCHORS }, (_, i) => {
      beats.push([]);
      const client = new AnchorClient({
        baseUrl: stack.service.url,
        roomId: `short-room-${i}`,
        liveId: `short-live-${i}`,
        anchorId: `short-anchor-${i}`,
        timeoutMs: 5000,
      });
      client.on('beat', () => beats[i].push(Date.now()));
      client.on('error', () => undefined);
      return client;
    });
    await Promise.all(anchors.map((a) => a.start()));
    // A failed run must not leave the clients beating (jest would not exit).
    afterAllStop.push(() => Promise.all(anchors.map((a) => a.stop({ end: false }))));
    expect(anchors[0].lastHeartbeat?.nextHeartbeatInMs).toBe(1250);

    // On a failure, say which anchors the service gave up on.
    const allBeatSince = (t: number) =>
      waitFor(() => beats.every((b) => b.some((at) => at > t)), 15000, 'every anchor to beat again').catch(async (err: Error) => {
        const rooms = await Promise.all(anchors.map((_, i) => stack.room(`short-room-${i}`)));
        throw new Error(
          `${err.message}; clients ${anchors.map((a) => a.state).join(',')}; rooms ${rooms.map((r) => `${r.state}/${r.reason}`).join(',')}`,
        );
      });
    for (let r = 0; r < REPETITIONS; r++) {
      await stack.service.stop('SIGKILL');
      await sleep(3000 + (r * 1000) / (REPETITIONS - 1));
      await stack.service.launch();
      await allBeatSince(Date.now());
    }
    // A freeze (a stalled node, a long GC pause): the process is there but answers nothing for 4 s.
    process.kill(stack.service.pid!, 'SIGSTOP');
    await sleep(4000);
    process.kill(stack.service.pid!, 'SIGCONT');
    await allBeatSince(Date.now());

    await Promise.all(anchors.map((a) => a.stop()));
    for (let i = 0; i < ANCHORS; i++)
      await waitFor(() => stack.toldViewers(`short-live-${i}`).includes('LIVE_ENDED normal'), 10000, `short-live-${i} ended`);
    const told = Array.from({ length: ANCHORS }, (_, i) => stack.toldViewers(`short-live-${i}`));
    expect(told).toEqual(Array.from({ length: ANCHORS }, () => ['LIVE_ENDED normal']));
    const backend = Array.from({ length: ANCHORS }, (_, i) => stack.toldBackend(`short-live-${i}`));
    expect(backend).toEqual(Array.from({ length: ANCHORS }, () => ['live.started', 'live.ended normal']));
  }, 240000);

  it('start-up refuses SWEEP_GAP_MS above SUSPECT_AFTER_MS, naming both', async () => {
    const run = new ServiceRun({
      REDIS_URL: stack.redis.url,
      SUSPECT_AFTER_MS: '3000',
      HEARTBEAT_TIMEOUT_MS: '6000',
      TIMEOUT_MIN_MS: '6000',
      SWEEP_GAP_MS: '4000',
    });
    const exit = await run.exited;
    expect(exit.code).not.toBe(0);
    expect(run.output).toMatch(/SWEEP_GAP_MS \(4000\) must not exceed SUSPECT_AFTER_MS \(3000\)/);
  });
});
