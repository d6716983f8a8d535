import { AnchorClient } from '../../clients/anchor-client/src';
import { DetectionStack } from '../support/detection-stack';
import { sleep, waitFor } from '../support/wait-for';

/**
 * The viewer handler of docs/viewer-apps.md, as written there (the screen instead of the UI calls): follows
 * the broadcast it plays, switches to the new one on LIVE_REPLACED, drops stale notices by seq.
 */
class ViewerScreen {
  screen: 'playing' | 'reconnecting' | 'ended' = 'playing';
  endedReason: string | null = null;
  private readonly lastSeq = new Map<string, number>();

  constructor(public currentLiveId: string) {}

  onNotice(notice: any): void {
    if (notice.type === 'LIVE_REPLACED' && notice.previousLiveId === this.currentLiveId) {
      this.currentLiveId = notice.liveId;
      this.lastSeq.set(notice.liveId, notice.seq);
      this.screen = 'playing';
      return;
    }
    if (notice.liveId !== this.currentLiveId || notice.seq <= (this.lastSeq.get(notice.liveId) ?? 0)) return;
    this.lastSeq.set(notice.liveId, notice.seq);
    if (notice.type === 'LIVE_INTERRUPTED') this.screen = 'reconnecting';
    else if (notice.type === 'LIVE_RESUMED') this.screen = 'playing';
    else if (notice.type === 'LIVE_ENDED') {
      this.screen = 'ended';
      this.endedReason = notice.reason;
    }
  }
}

/**
 * Issue 13, case 4: the anchor app crashes and is relaunched 2.8 s later with a new liveId in the same room.
 * The viewers who joined during the first live must follow the second and see it end.
 */
describe('viewers of a relaunched broadcast (issue 13 case 4)', () => {
  let stack: DetectionStack;

  beforeAll(async () => {
    stack = await DetectionStack.start({
      // The relaunch (2.8 s) comes well before L1's suspect point, as a real relaunch does.
      HEARTBEAT_TIMEOUT_MS: '8000',
      SUSPECT_AFTER_MS: '4000',
      HEARTBEAT_INTERVAL_MS: '1000',
      TIMEOUT_MIN_MS: '8000',
      SWEEP_INTERVAL_MS: '200',
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('L1 superseded by L2 is told as LIVE_REPLACED; a viewer who joined during L1 sees L2 end', async () => {
    const app = (liveId: string) => new AnchorClient({ baseUrl: stack.service.url, roomId: 'relaunch-room', liveId, anchorId: 'anchor-r' });
    const first = app('L1');
    await first.start();
    // A viewer joins during L1: reads the room, then follows the group's notices.
    const joined = await stack.room('relaunch-room');
    expect(joined).toMatchObject({ state: 'live', liveId: 'L1' });
    const viewer = new ViewerScreen(joined.liveId);

    await new Promise((resolve) => first.once('beat', resolve));
    await first.stop({ end: false }); // the app crashes right after a beat
    await sleep(2800);
    const second = app('L2'); // relaunched with a new liveId, as the anchor-app docs ask
    await second.start();
    const replaced = await waitFor(() => stack.viewers.messages.find((m) => m.data?.type === 'LIVE_REPLACED'), 10000, 'LIVE_REPLACED');
    expect(replaced.groupId).toBe('relaunch-room');
    expect(replaced.data).toMatchObject({ type: 'LIVE_REPLACED', roomId: 'relaunch-room', liveId: 'L2', previousLiveId: 'L1', seq: 1 });

    await new Promise((resolve) => second.once('beat', resolve));
    await second.stop({ end: false }); // and crashes again, for good
    await waitFor(() => stack.toldViewers('L2').includes('LIVE_ENDED timeout'), 20000, "L2's ending");
    for (const message of stack.viewers.messages) if (message.groupId === 'relaunch-room') viewer.onNotice(message.data);

    expect(viewer.currentLiveId).toBe('L2');
    expect(viewer.screen).toBe('ended');
    expect(viewer.endedReason).toBe('timeout');
    expect(await stack.room('relaunch-room')).toMatchObject({ state: 'ended', liveId: 'L2', reason: 'timeout' });
    // L1's own ending is not told to viewers (it would close players of a broadcast that went on); the backend hears it.
    expect(stack.toldViewers('L1')).toEqual([]);
    expect(stack.toldBackend('L1')).toEqual(['live.started', 'live.ended superseded']);
    expect(stack.toldBackend('L2')).toEqual(['live.started', 'live.interrupted', 'live.ended timeout']);
    expect(stack.toldViewers('L2')).toEqual(['LIVE_REPLACED', 'LIVE_INTERRUPTED', 'LIVE_ENDED timeout']);
  });
});
