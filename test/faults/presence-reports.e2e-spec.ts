import { LOGOUT_SETTLE_MS } from '../../src/callbacks/tencent-im-callbacks.service';
import { IM_REASON } from '../support/im-callbacks';
import { DetectionStack } from '../support/detection-stack';
import { sleep, waitFor } from '../support/wait-for';

const INTERVAL_MS = 1000;
const GRACE_MS = 2000;

/** An anchor app that beats its live every second, as in issue 13 case 1; resolves each beat's time to whoever waits. */
class BeatingAnchor {
  /** Every anchor made, so a failed test leaves none beating. */
  static readonly all: BeatingAnchor[] = [];
  readonly statuses: number[] = [];
  /** While set, the app skips its beats (its IM link and its heartbeats are both down). */
  paused = false;
  private stopped = false;
  private waiters: Array<(at: number) => void> = [];
  private loop: Promise<void>;

  constructor(
    private readonly stack: DetectionStack,
    readonly roomId: string,
    readonly liveId: string,
    readonly anchorId: string,
  ) {
    BeatingAnchor.all.push(this);
    this.loop = (async () => {
      while (!this.stopped) {
        if (this.paused) {
          await sleep(20);
          continue;
        }
        const res = await stack.post(`/v1/rooms/${roomId}/heartbeat`, { liveId, anchorId });
        this.statuses.push(res.status);
        const at = Date.now();
        for (const resolve of this.waiters.splice(0)) resolve(at);
        await sleep(INTERVAL_MS);
      }
    })();
  }

  /** Client time when the next beat was answered (after the service took it). */
  nextBeat(): Promise<number> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async halt(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  async end(): Promise<void> {
    await this.halt();
    expect((await this.stack.post(`/v1/rooms/${this.roomId}/end`, { liveId: this.liveId, anchorId: this.anchorId })).status).toBe(200);
  }
}

/**
 * Issue 13, case 1: IM presence reports judged by their own EventTime against the anchor's last beat and last
 * report. The anchor beats every second; 300 ms after a beat the callbacks arrive, signed as IM signs them.
 */
describe('IM presence reports never fool the detector (issue 13 case 1)', () => {
  let stack: DetectionStack;

  beforeAll(async () => {
    stack = await DetectionStack.start({
      HEARTBEAT_TIMEOUT_MS: '6000',
      SUSPECT_AFTER_MS: '3000',
      HEARTBEAT_INTERVAL_MS: String(INTERVAL_MS),
      TIMEOUT_MIN_MS: '6000',
      SWEEP_INTERVAL_MS: '200',
      TENCENT_IM_DISCONNECT_GRACE_MS: String(GRACE_MS),
    });
  });

  afterAll(async () => {
    await Promise.all(BeatingAnchor.all.map((a) => a.halt()));
    await stack?.stop();
  });

  /** Runs `reports` 300 ms after a beat, watches for the grace, then ends the live normally: returns what everyone saw. */
  async function afterABeat(name: string, reports: (anchor: string, beatAt: number) => Promise<void>) {
    const anchor = new BeatingAnchor(stack, `${name}-room`, `${name}-live`, `${name}-anchor`);
    await anchor.nextBeat();
    const beatAt = await anchor.nextBeat();
    await sleep(Math.max(0, beatAt + 300 - Date.now()));
    await reports(anchor.anchorId, beatAt);
    // Long enough for a false report to have interrupted (settle) and ended (grace) the live.
    await sleep(GRACE_MS + 500);
    const stateBeforeEnd = (await stack.room(anchor.roomId)).state;
    await anchor.end();
    await waitFor(() => stack.toldViewers(anchor.liveId).includes('LIVE_ENDED normal'), 10000, 'the normal ending to reach the viewers');
    await waitFor(() => stack.toldBackend(anchor.liveId).includes('live.ended normal'), 10000, 'the normal ending to reach the backend');
    return { stateBeforeEnd, viewers: stack.toldViewers(anchor.liveId), backend: stack.toldBackend(anchor.liveId), beats: anchor.statuses };
  }

  it('(A) a Login received first (EventTime beat + 200 ms) outranks the older Disconnect that arrives after it (beat + 100 ms)', async () => {
    const seen = await afterABeat('reordered', async (anchor, beatAt) => {
      expect(await stack.im.stateChange(anchor, 'Login', IM_REASON.Login, beatAt + 200)).toBe(200);
      expect(await stack.im.stateChange(anchor, 'Disconnect', IM_REASON.Disconnect, beatAt + 100)).toBe(200);
    });
    expect(seen.stateBeforeEnd).toBe('live');
    expect(seen.viewers).toEqual(['LIVE_ENDED normal']);
    expect(seen.backend).toEqual(['live.started', 'live.ended normal']);
    expect(seen.beats.every((s) => s === 200)).toBe(true);
  });

  it('(B) Login then Logout with one EventTime (a multi-instance kick on an older SDK) leaves the anchor online', async () => {
    const seen = await afterABeat('kick-pair', async (anchor, beatAt) => {
      await stack.im.stateChange(anchor, 'Login', IM_REASON.Login, beatAt + 200);
      await stack.im.stateChange(anchor, 'Logout', IM_REASON.Logout, beatAt + 200);
    });
    expect(seen.stateBeforeEnd).toBe('live');
    expect(seen.viewers).toEqual(['LIVE_ENDED normal']);
    expect(seen.backend).toEqual(['live.started', 'live.ended normal']);
  });

  it('(B, reversed) the kick pair arriving Logout first changes nothing either: the offline report settles before it counts', async () => {
    const seen = await afterABeat('kick-pair-reversed', async (anchor, beatAt) => {
      await stack.im.stateChange(anchor, 'Logout', IM_REASON.Logout, beatAt + 200);
      await stack.im.stateChange(anchor, 'Login', IM_REASON.Login, beatAt + 200);
    });
    expect(seen.viewers).toEqual(['LIVE_ENDED normal']);
  });

  it('a Logout whose reason is not the documented Unregister does not count as offline; duplicates and stale reports change nothing', async () => {
    const seen = await afterABeat('noise', async (anchor, beatAt) => {
      await stack.im.stateChange(anchor, 'Logout', 'Kicked', beatAt + 200);
      await stack.im.stateChange(anchor, 'Disconnect', IM_REASON.Disconnect, beatAt - 500); // older than the last beat
      await stack.im.stateChange(anchor, 'Disconnect', IM_REASON.Disconnect, beatAt - 500);
      await stack.im.stateChange(anchor, 'Login', IM_REASON.Login, beatAt + 250);
      await stack.im.stateChange(anchor, 'Login', IM_REASON.Login, beatAt + 250);
    });
    expect(seen.viewers).toEqual(['LIVE_ENDED normal']);
  });

  it('two offline reports then a newer Login resume the live at once, not at the next beat; an older Login does not', async () => {
    const anchor = new BeatingAnchor(stack, 'twice-room', 'twice-live', 'twice-anchor');
    await anchor.nextBeat();
    const beatAt = await anchor.nextBeat();
    // No beat until the Login has been judged: only the reports decide in between.
    anchor.paused = true;
    await sleep(Math.max(0, beatAt + 300 - Date.now()));
    await stack.im.stateChange(anchor.anchorId, 'Disconnect', IM_REASON.Disconnect, beatAt + 100);
    await stack.im.stateChange(anchor.anchorId, 'Logout', IM_REASON.Logout, beatAt + 150);
    await waitFor(async () => (await stack.room(anchor.roomId)).state === 'interrupted', 3000, 'the reports to interrupt the live');
    await sleep(LOGOUT_SETTLE_MS + 300); // the Logout (half of a possible kick pair) counts after its settle time
    const beatsBefore = anchor.statuses.length;

    await stack.im.stateChange(anchor.anchorId, 'Login', IM_REASON.Login, beatAt + 120); // older than the Logout
    expect((await stack.room(anchor.roomId)).state).toBe('interrupted');
    await stack.im.stateChange(anchor.anchorId, 'Login', IM_REASON.Login, beatAt + 250);
    expect((await stack.room(anchor.roomId)).state).toBe('live');
    expect(anchor.statuses.length).toBe(beatsBefore); // no beat in between: the Login did it
    anchor.paused = false;

    await anchor.end();
    await waitFor(() => stack.toldViewers(anchor.liveId).length >= 3, 10000, 'the interruption, the resumption and the normal ending');
    expect(stack.toldViewersBySeq(anchor.liveId)).toEqual(['LIVE_INTERRUPTED disconnect', 'LIVE_RESUMED', 'LIVE_ENDED normal']);
  });
});
