import { AnchorClient } from '../../clients/anchor-client/src';
import { DetectionStack } from '../support/detection-stack';
import { sleep, waitFor } from '../support/wait-for';

const TIMEOUT_MS = 2000;

/**
 * Issue 13, case 3: an end that overtakes the live's first heartbeat is remembered, so the late first beat gets
 * 410 and nobody is told of a broadcast that the anchor had already ended.
 */
describe('an end that overtakes the first heartbeat (issue 13 case 3)', () => {
  let stack: DetectionStack;

  beforeAll(async () => {
    stack = await DetectionStack.start({
      HEARTBEAT_TIMEOUT_MS: String(TIMEOUT_MS),
      SUSPECT_AFTER_MS: '1000',
      HEARTBEAT_INTERVAL_MS: '250',
      TIMEOUT_MIN_MS: String(TIMEOUT_MS),
      SWEEP_INTERVAL_MS: '100',
      TENCENT_IM_DISCONNECT_GRACE_MS: '500',
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  /** Past the timeout of a phantom live, and a normal live of another room ended as a marker that delivery ran. */
  async function afterATimeout(): Promise<void> {
    const marker = `marker-${Date.now()}`;
    await sleep(TIMEOUT_MS + 500);
    await stack.post(`/v1/rooms/${marker}/heartbeat`, { liveId: marker, anchorId: 'a' });
    await stack.post(`/v1/rooms/${marker}/end`, { liveId: marker, anchorId: 'a' });
    await waitFor(() => stack.toldViewers(marker).includes('LIVE_ENDED normal'), 10000, 'the marker live to be told');
  }

  it('POST /end {L} before the first POST /heartbeat {L}: the end is remembered, the late beat gets 410, nobody is told anything', async () => {
    const end = await stack.post('/v1/rooms/overtaken-room/end', { liveId: 'L', anchorId: 'anchor-3' });
    expect(end).toMatchObject({ status: 200, body: { state: 'ended', liveId: 'L', reason: 'normal', alreadyEnded: false } });
    const lateBeat = await stack.post('/v1/rooms/overtaken-room/heartbeat', { liveId: 'L', anchorId: 'anchor-3' });
    expect(lateBeat).toMatchObject({ status: 410, body: { reason: 'normal' } });
    expect(await stack.room('overtaken-room')).toMatchObject({ state: 'idle' });
    // A repeat of the end is idempotent, as for a live that ran.
    expect((await stack.post('/v1/rooms/overtaken-room/end', { liveId: 'L', anchorId: 'anchor-3' })).status).toBe(200);

    await afterATimeout();
    expect(stack.toldViewers('L')).toEqual([]);
    expect(stack.toldBackend('L')).toEqual([]);
    expect(await stack.room('overtaken-room')).toMatchObject({ state: 'idle' });
  });

  it("the anchor client's stop() while start()'s first beat is on the wire ends the live it started", async () => {
    // The first heartbeat leaves the app but reaches the service only after the end was answered (a slow uplink).
    let endAnswered!: () => void;
    const endDone = new Promise<void>((resolve) => (endAnswered = resolve));
    let lateBeat: Promise<number> | null = null;
    const network: typeof fetch = async (input, init) => {
      const url = String(input);
      if (url.endsWith('/heartbeat') && lateBeat === null) {
        // Once on the wire, aborting the request on the app's side does not call it back.
        lateBeat = endDone.then(async () => (await fetch(input, { ...init, signal: undefined })).status);
        return new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
      }
      const response = await fetch(input, init);
      if (url.endsWith('/end')) endAnswered();
      return response;
    };
    const client = new AnchorClient({
      baseUrl: stack.service.url,
      roomId: 'stopped-room',
      liveId: 'stopped-live',
      anchorId: 'anchor-s',
      fetch: network,
    });
    const ended: string[] = [];
    client.on('ended', (reason: string) => ended.push(reason));
    const started = client.start().catch((err: Error) => err);
    await waitFor(() => lateBeat !== null, 5000, 'the first beat to be on the wire');
    await client.stop();

    expect(await started).toBeInstanceOf(Error); // no beat was taken before the stop
    expect(client.state).toBe('ended');
    expect(ended).toEqual(['normal']);
    expect(await lateBeat!).toBe(410);

    await afterATimeout();
    expect(stack.toldViewers('stopped-live')).toEqual([]);
    expect(stack.toldBackend('stopped-live')).toEqual([]);
    expect(await stack.room('stopped-room')).toMatchObject({ state: 'idle' });
  });

  it('an end of a liveId not seen yet leaves the running live of the room alone', async () => {
    await stack.post('/v1/rooms/busy-room/heartbeat', { liveId: 'running', anchorId: 'a' });
    expect((await stack.post('/v1/rooms/busy-room/end', { liveId: 'not-yet', anchorId: 'a' })).status).toBe(200);
    expect(await stack.room('busy-room')).toMatchObject({ state: 'live', liveId: 'running' });
    expect((await stack.post('/v1/rooms/busy-room/heartbeat', { liveId: 'not-yet', anchorId: 'a' })).status).toBe(410);
    expect(await stack.room('busy-room')).toMatchObject({ state: 'live', liveId: 'running' });
  });
});
