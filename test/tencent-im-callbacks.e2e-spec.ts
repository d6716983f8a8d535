import { createHash } from 'node:crypto';
import { LOGOUT_SETTLE_MS } from '../src/callbacks/tencent-im-callbacks.service';
import { RedisServer } from './support/redis-server';
import { startTestApp, TestApp } from './support/test-app';
import { sleep, waitFor } from './support/wait-for';

const SDKAPPID = '1400000000';
const TOKEN = 'callback-token-for-tests';
const GRACE_MS = 600;
const OK = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 };

/** The query string IM appends, signed as the IM documentation says: sha256(token + RequestTime). */
function callbackQuery(command: string, opts: { token?: string; requestTime?: number; sdkAppId?: string } = {}): string {
  const requestTime = String(opts.requestTime ?? Math.floor(Date.now() / 1000));
  const sign = createHash('sha256')
    .update((opts.token ?? TOKEN) + requestTime)
    .digest('hex');
  const params = new URLSearchParams({
    SdkAppid: opts.sdkAppId ?? SDKAPPID,
    CallbackCommand: command,
    contenttype: 'json',
    ClientIP: '10.0.0.1',
    OptPlatform: 'Android',
    Sign: sign,
    RequestTime: requestTime,
  });
  return `/v1/callbacks/tencent-im?${params}`;
}

const stateChange = (account: string, action: string, reason: string, eventTime = Date.now()) => ({
  CallbackCommand: 'State.StateChange',
  EventTime: eventTime,
  Info: { Action: action, To_Account: account, Reason: reason },
});

describe('Tencent IM callbacks', () => {
  let redis: RedisServer;
  let svc: TestApp;

  beforeAll(async () => {
    redis = await RedisServer.start();
    // Heartbeat timing slow enough that only a callback can explain a fast ending.
    svc = await startTestApp({
      REDIS_URL: redis.url,
      NOTIFIERS: 'log',
      HEARTBEAT_TIMEOUT_MS: '30000',
      TIMEOUT_MIN_MS: '10000',
      SUSPECT_AFTER_MS: '20000',
      TIMEOUT_MAX_MS: '60000',
      TENCENT_IM_SDKAPPID: SDKAPPID,
      TENCENT_IM_CALLBACK_TOKEN: TOKEN,
      TENCENT_IM_DISCONNECT_GRACE_MS: String(GRACE_MS),
    });
  });

  afterAll(async () => {
    await svc?.close();
    await redis?.destroy();
  });

  const startLive = async (room: string, anchor: string, groupId?: string) => {
    const res = await svc.post(`/v1/rooms/${room}/heartbeat`, { liveId: `${room}-live`, anchorId: anchor, groupId });
    expect(res.status).toBe(200);
  };
  const stateOf = async (room: string) => (await svc.get(`/v1/rooms/${room}`)).body;

  it('refuses a wrong, stale or missing Sign and a foreign SdkAppid, and changes nothing', async () => {
    await startLive('guarded-room', 'guarded-anchor');
    const body = stateChange('guarded-anchor', 'Disconnect', 'LinkClose');

    const wrong = await svc.post(callbackQuery('State.StateChange', { token: 'not-the-token' }), body);
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ ActionStatus: 'FAIL', ErrorCode: 1, ErrorInfo: expect.stringContaining('Sign') });

    const stale = await svc.post(callbackQuery('State.StateChange', { requestTime: Math.floor(Date.now() / 1000) - 600 }), body);
    expect(stale.status).toBe(401);
    expect(stale.body.ErrorInfo).toContain('RequestTime');

    const unsigned = await svc.post('/v1/callbacks/tencent-im?SdkAppid=1400000000&CallbackCommand=State.StateChange', body);
    expect(unsigned.status).toBe(401);

    const foreign = await svc.post(callbackQuery('State.StateChange', { sdkAppId: '1400000001' }), body);
    expect(foreign.status).toBe(403);
    expect(foreign.body.ErrorInfo).toContain('SdkAppid');

    await sleep(GRACE_MS + 300);
    expect(await stateOf('guarded-room')).toMatchObject({ state: 'live' });
  });

  it('a Disconnect of the anchor interrupts the live at once and ends it after the grace, reason disconnect', async () => {
    await startLive('crash-room', 'crash-anchor');
    const started = Date.now();
    const res = await svc.post(callbackQuery('State.StateChange'), stateChange('crash-anchor', 'Disconnect', 'LinkClose'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual(OK);
    await waitFor(async () => (await stateOf('crash-room')).state === 'interrupted', 5000, 'the report to interrupt the live');

    const ended = await waitFor(
      async () => {
        const s = await stateOf('crash-room');
        return s.state === 'ended' && s;
      },
      10000,
      'the live to end',
    );
    expect(ended.reason).toBe('disconnect');
    // Far sooner than the 20 s / 30 s heartbeat timing would have.
    expect(Date.now() - started).toBeLessThan(10000);
  });

  it('a Login after the Disconnect clears it: the live goes on past the grace', async () => {
    await startLive('blip-room', 'blip-anchor');
    await svc.post(callbackQuery('State.StateChange'), stateChange('blip-anchor', 'Logout', 'Unregister'));
    // A Logout counts once LOGOUT_SETTLE_MS has passed without a Login as new as it.
    expect(await stateOf('blip-room')).toMatchObject({ state: 'live' });
    await waitFor(
      async () => (await stateOf('blip-room')).state === 'interrupted',
      LOGOUT_SETTLE_MS + 5000,
      'the Logout to interrupt the live',
    );
    await svc.post(callbackQuery('State.StateChange'), stateChange('blip-anchor', 'Login', 'Register'));
    expect(await stateOf('blip-room')).toMatchObject({ state: 'live' });
    await sleep(GRACE_MS + 500);
    expect(await stateOf('blip-room')).toMatchObject({ state: 'live' });
  });

  it('a heartbeat after the Disconnect clears it too; a Disconnect older than the last beat is ignored', async () => {
    await startLive('beat-room', 'beat-anchor');
    await svc.post(callbackQuery('State.StateChange'), stateChange('beat-anchor', 'Disconnect', 'LinkClose'));
    await waitFor(async () => (await stateOf('beat-room')).state === 'interrupted', 5000, 'the Disconnect to interrupt the live');
    await startLive('beat-room', 'beat-anchor');
    await sleep(GRACE_MS + 500);
    expect(await stateOf('beat-room')).toMatchObject({ state: 'live' });

    await svc.post(callbackQuery('State.StateChange'), stateChange('beat-anchor', 'Disconnect', 'LinkClose', Date.now() - 60000));
    await sleep(300);
    expect(await stateOf('beat-room')).toMatchObject({ state: 'live' });
  });

  it('finds an anchor that started again in another room in its latest room, and forgets an ended live', async () => {
    await startLive('left-room', 'moving-anchor');
    await sleep(20); // a later start
    await startLive('joined-room', 'moving-anchor');
    await svc.post(callbackQuery('State.StateChange'), stateChange('moving-anchor', 'Disconnect', 'LinkClose'));
    await waitFor(async () => (await stateOf('joined-room')).state === 'interrupted', 5000, 'the Disconnect to interrupt the live');
    expect(await stateOf('left-room')).toMatchObject({ state: 'live' });

    await startLive('ending-room', 'ending-anchor');
    await svc.post('/v1/rooms/ending-room/end', { liveId: 'ending-room-live', anchorId: 'ending-anchor' });
    const after = await svc.post(callbackQuery('State.StateChange'), stateChange('ending-anchor', 'Disconnect', 'LinkClose'));
    expect(after.body).toEqual(OK);
    expect(await stateOf('ending-room')).toMatchObject({ state: 'ended', reason: 'normal' });
  });

  it('the live group reporting the anchor offline does the same; other members and groups change nothing', async () => {
    await startLive('group-room', 'group-anchor', '@TGS#group');
    const offline = (account: string, groupId = '@TGS#group') => ({
      CallbackCommand: 'Group.CallbackOnMemberStateChange',
      GroupId: groupId,
      EventType: 'Offline',
      EventCause: 'HeartbeatInterrupt',
      MemberList: [{ Member_Account: account }],
    });
    expect((await svc.post(callbackQuery('Group.CallbackOnMemberStateChange'), offline('a-viewer'))).body).toEqual(OK);
    expect((await svc.post(callbackQuery('Group.CallbackOnMemberStateChange'), offline('group-anchor', '@TGS#other'))).body).toEqual(OK);
    await sleep(300);
    expect(await stateOf('group-room')).toMatchObject({ state: 'live' });

    await svc.post(callbackQuery('Group.CallbackOnMemberStateChange'), offline('group-anchor'));
    await waitFor(async () => (await stateOf('group-room')).state === 'interrupted', 5000, 'the member report to interrupt the live');
    const back = { ...offline('group-anchor'), EventType: 'Online', EventCause: 'HeartbeatRecover' };
    await svc.post(callbackQuery('Group.CallbackOnMemberStateChange'), back);
    expect(await stateOf('group-room')).toMatchObject({ state: 'live' });
  });

  it('accepts and ignores commands it does not know, and accounts that are not anchors', async () => {
    const unknown = await svc.post(callbackQuery('C2C.CallbackAfterSendMsg'), {
      CallbackCommand: 'C2C.CallbackAfterSendMsg',
      From_Account: 'x',
    });
    expect(unknown.status).toBe(200);
    expect(unknown.body).toEqual(OK);
    const stranger = await svc.post(callbackQuery('State.StateChange'), stateChange('nobody-we-know', 'Disconnect', 'TimeOut'));
    expect(stranger.body).toEqual(OK);
    const notJson = await svc.post(callbackQuery('State.StateChange'), '[1,2]');
    expect(notJson.status).toBe(400);
    expect(notJson.body.ErrorInfo).toContain('body');
  });
});
