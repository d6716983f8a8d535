import { AnchorClient } from '../../clients/anchor-client/src';
import { IM_REASON } from '../support/im-callbacks';
import { DetectionStack } from '../support/detection-stack';
import { sleep, waitFor } from '../support/wait-for';

const GRACE_MS = 8000;

/** An anchor app through the real client, with a network the test can cut. */
function anchorApp(stack: DetectionStack, name: string) {
  const net = { down: false };
  const statuses: number[] = [];
  const cuttable: typeof fetch = async (input, init) => {
    if (net.down) throw new TypeError('fetch failed (network down)');
    const response = await fetch(input, init);
    if (String(input).endsWith('/heartbeat')) statuses.push(response.status);
    return response;
  };
  const client = new AnchorClient({
    baseUrl: stack.service.url,
    roomId: `${name}-room`,
    liveId: `${name}-live`,
    anchorId: `${name}-anchor`,
    fetch: cuttable,
  });
  client.on('error', () => undefined); // retries through the outage are expected
  return { client, net, statuses, roomId: `${name}-room`, liveId: `${name}-live`, anchorId: `${name}-anchor` };
}

/**
 * Issue 13, case 2: IM reports the anchor disconnected; 0.3 s later our whole side (every replica, or Redis with
 * AOF on) is down for 15 s; the anchor's network is back 2.5 s into the outage and it keeps retrying. The pending
 * disconnect must get the same protection from our outage as silence does: a fresh grace once we are back.
 */
describe.each([['service' as const], ['redis' as const]])(
  'a pending IM disconnect through an outage of our %s (issue 13 case 2)',
  (down) => {
    let stack: DetectionStack;

    beforeAll(async () => {
      // Default timings but a beat every second; SWEEP_GAP_MS derived as in production. Redis writes every command
      // to its AOF before answering, so the SIGKILL loses nothing that was acknowledged.
      stack = await DetectionStack.start(
        {
          HEARTBEAT_TIMEOUT_MS: '20000',
          SUSPECT_AFTER_MS: '10000',
          HEARTBEAT_INTERVAL_MS: '1000',
          TIMEOUT_MIN_MS: '5000',
          TIMEOUT_MAX_MS: '300000',
          SWEEP_INTERVAL_MS: '1000',
          SWEEP_GAP_MS: '',
          TENCENT_IM_DISCONNECT_GRACE_MS: String(GRACE_MS),
        },
        ['--appendfsync', 'always'],
      );
    });

    const clients: AnchorClient[] = [];
    afterAll(async () => {
      // A failed run must not leave the clients beating (jest would not exit).
      await Promise.all(clients.map((c) => c.stop({ end: false })));
      await stack?.stop();
    });

    it('the reported anchor and a silent control anchor both resume; nothing ends', async () => {
      const reported = anchorApp(stack, `${down}-reported`);
      const control = anchorApp(stack, `${down}-control`);
      clients.push(reported.client, control.client);
      await Promise.all([reported.client.start(), control.client.start()]);
      await new Promise((resolve) => reported.client.once('beat', resolve));

      // The anchors lose their network; IM reports the reported one disconnected (signed as IM signs).
      reported.net.down = control.net.down = true;
      const reportedAt = Date.now();
      expect(await stack.im.stateChange(reported.anchorId, 'Disconnect', IM_REASON.Disconnect, reportedAt)).toBe(200);
      await waitFor(async () => (await stack.room(reported.roomId)).state === 'interrupted', 5000, 'the disconnect to be pending');
      // The notice is out before the kill (a delivery cut by SIGKILL is retried after DELIVERY_CLAIM_IDLE_MS: another test's subject).
      await waitFor(
        () => stack.toldViewers(reported.liveId).length > 0 && stack.toldBackend(reported.liveId).length > 1,
        5000,
        'the interruption to be told',
      );
      await sleep(Math.max(0, reportedAt + 300 - Date.now()));

      const outageStarted = Date.now();
      if (down === 'service') await stack.service.stop('SIGKILL');
      else await stack.redis.stop('SIGKILL');
      await sleep(2500);
      reported.net.down = control.net.down = false; // back, retrying against our outage
      await sleep(15000 - (Date.now() - outageStarted));
      if (down === 'service') await stack.service.launch();
      else await stack.redis.launch();
      const recovered = Date.now();

      const statusesBefore = reported.statuses.length;
      await waitFor(() => reported.statuses.slice(statusesBefore).includes(200), 10000, 'the reported anchor to beat again');
      expect(await stack.room(reported.roomId)).toMatchObject({ state: 'live', liveId: reported.liveId });
      // Past where the grace would have ended it had it counted from the report (or from the restart without a beat).
      await sleep(Math.max(0, recovered + GRACE_MS + 1000 - Date.now()));
      expect(reported.client.state).toBe('live');
      expect(control.client.state).toBe('live');
      expect(reported.statuses).not.toContain(410);

      await Promise.all([reported.client.stop(), control.client.stop()]);
      for (const a of [reported, control])
        await waitFor(() => stack.toldViewers(a.liveId).includes('LIVE_ENDED normal'), 10000, `${a.liveId} ended`);
      // Endings are sent first: the resumption may still be waiting for the IM rate when the ending arrives.
      await waitFor(() => stack.toldViewers(reported.liveId).length >= 3, 10000, `${reported.liveId}'s resumption`);
      expect(stack.toldViewersBySeq(reported.liveId)).toEqual(['LIVE_INTERRUPTED disconnect', 'LIVE_RESUMED', 'LIVE_ENDED normal']);
      expect(stack.toldViewers(control.liveId)).toEqual(['LIVE_ENDED normal']);
      expect(stack.toldBackend(reported.liveId)).toEqual([
        'live.started',
        'live.interrupted disconnect',
        'live.resumed',
        'live.ended normal',
      ]);
      expect(stack.toldBackend(control.liveId)).toEqual(['live.started', 'live.ended normal']);
    }, 90000);
  },
);
