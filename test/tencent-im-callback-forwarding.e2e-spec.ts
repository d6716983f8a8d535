import { BusinessCallbackReceiver, sendImCallback } from './support/im-callbacks';
import { RedisServer } from './support/redis-server';
import { startTestApp, TestApp } from './support/test-app';
import { freePort } from './support/free-port';
import { waitFor } from './support/wait-for';

const TOKEN = 'callback-token-for-tests';
const FORWARD_TIMEOUT_MS = 400;
const OK = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 };
// Slow heartbeat timing: only a callback can interrupt a live within these tests.
const SLOW_TIMINGS = { HEARTBEAT_TIMEOUT_MS: '30000', TIMEOUT_MIN_MS: '10000', SUSPECT_AFTER_MS: '20000', TIMEOUT_MAX_MS: '60000' };

const disconnect = (account: string) =>
  JSON.stringify({
    CallbackCommand: 'State.StateChange',
    EventTime: Date.now(),
    Info: { Action: 'Disconnect', To_Account: account, Reason: 'LinkClose' },
  });
// A before-send group message callback; MsgKey-like numbers beyond 2^53 must reach the business unchanged.
const beforeSend = `{"CallbackCommand":"Group.CallbackBeforeSendMsg","GroupId":"@TGS#room","Type":"AVChatRoom","From_Account":"viewer-1","Random":12345678901234567890,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hello"}}]}`;

describe('Tencent IM callbacks: body handling and forwarding to the business', () => {
  let redis: RedisServer;
  let business: BusinessCallbackReceiver;
  let svc: TestApp;
  let plain: TestApp;

  beforeAll(async () => {
    redis = await RedisServer.start();
    business = await BusinessCallbackReceiver.start();
    const common = {
      REDIS_URL: redis.url,
      NOTIFIERS: 'log',
      TENCENT_IM_SDKAPPID: '1400000000',
      TENCENT_IM_CALLBACK_TOKEN: TOKEN,
      ...SLOW_TIMINGS,
    };
    svc = await startTestApp({
      ...common,
      TENCENT_IM_CALLBACK_FORWARD_URL: business.url,
      TENCENT_IM_CALLBACK_FORWARD_TIMEOUT_MS: String(FORWARD_TIMEOUT_MS),
    });
    plain = await startTestApp(common);
  });

  afterAll(async () => {
    await svc?.close();
    await plain?.close();
    await business?.close();
    await redis?.destroy();
  });

  const startLive = async (app: TestApp, room: string, anchor: string) =>
    expect((await app.post(`/v1/rooms/${room}/heartbeat`, { liveId: `${room}-live`, anchorId: anchor })).status).toBe(200);
  const stateOf = async (room: string) => (await svc.get(`/v1/rooms/${room}`)).body.state;

  it('reads the body as JSON without a Content-Type (IM’s documented sample), or with a form or text one', async () => {
    for (const [i, contentType] of [undefined, 'application/x-www-form-urlencoded', 'text/plain', 'application/json'].entries()) {
      await startLive(plain, `ct-room-${i}`, `ct-anchor-${i}`);
      const answer = await sendImCallback(plain.url, 'State.StateChange', disconnect(`ct-anchor-${i}`), { token: TOKEN, contentType });
      expect({ contentType, status: answer.status, body: answer.json }).toEqual({ contentType, status: 200, body: OK });
      await waitFor(async () => (await stateOf(`ct-room-${i}`)) === 'interrupted', 5000, `ct-room-${i} interrupted`);
    }
  });

  it('answers every refusal in IM’s form: a body that is not JSON, a wrong Sign, a foreign SdkAppid', async () => {
    const fail = { ActionStatus: 'FAIL', ErrorCode: 1, ErrorInfo: expect.any(String) };
    for (const contentType of [undefined, 'application/json']) {
      const notJson = await sendImCallback(plain.url, 'State.StateChange', '{"CallbackCommand":', { token: TOKEN, contentType });
      expect({ status: notJson.status, body: notJson.json }).toEqual({
        status: 400,
        body: { ...fail, ErrorInfo: 'body must be a JSON object' },
      });
    }
    const empty = await sendImCallback(plain.url, 'State.StateChange', '', { token: TOKEN, contentType: 'application/json' });
    expect({ status: empty.status, body: empty.json }).toEqual({ status: 400, body: fail });
    const forged = await sendImCallback(plain.url, 'State.StateChange', disconnect('x'), { token: 'not-the-token' });
    expect({ status: forged.status, body: forged.json }).toEqual({ status: 401, body: fail });
    const foreign = await sendImCallback(plain.url, 'State.StateChange', disconnect('x'), { token: TOKEN, sdkAppId: '1400000001' });
    expect({ status: foreign.status, body: foreign.json }).toEqual({ status: 403, body: fail });
    expect(business.received).toHaveLength(0); // plain has no forward URL
  });

  it('other routes still refuse a body without a Content-Type (415) and still parse JSON', async () => {
    const answer = await fetch(`${plain.url.replace('[::1]', '127.0.0.1')}/v1/rooms/r/heartbeat`, {
      method: 'POST',
      body: new Blob(['{}']),
    });
    expect(answer.status).toBe(415);
    expect((await plain.post('/v1/rooms/json-room/heartbeat', { liveId: 'json-live', anchorId: 'a' })).status).toBe(200);
  });

  it('forwards a command it does not own with query string and body intact, and returns the business’s answer as is', async () => {
    const refusal = '{"ActionStatus":"OK","ErrorInfo":"blocked by moderation","ErrorCode":1}';
    business.answerNext({ body: refusal });
    const answer = await sendImCallback(svc.url, 'Group.CallbackBeforeSendMsg', beforeSend, { token: TOKEN });
    expect({ status: answer.status, text: answer.text }).toEqual({ status: 200, text: refusal });

    const received = business.received.at(-1)!;
    expect(received.body).toBe(beforeSend); // byte for byte: 12345678901234567890 survives
    expect(Object.fromEntries(received.query)).toMatchObject({
      SdkAppid: '1400000000',
      CallbackCommand: 'Group.CallbackBeforeSendMsg',
      contenttype: 'json',
      ClientIP: '10.0.0.1',
      OptPlatform: 'Android',
    });
    expect(received.query.get('Sign')).toMatch(/^[0-9a-f]{64}$/); // IM's signature, for the business to check with its token

    business.answerNext({ status: 500, body: 'upstream broke' });
    const broken = await sendImCallback(svc.url, 'C2C.CallbackAfterSendMsg', '{"CallbackCommand":"C2C.CallbackAfterSendMsg"}', {
      token: TOKEN,
    });
    expect({ status: broken.status, text: broken.text }).toEqual({ status: 500, text: 'upstream broke' });
  });

  it('forwards a large callback whole (a group created with 600 initial members: beyond the 16 KiB of other routes)', async () => {
    const members = Array.from({ length: 600 }, (_, i) => ({ Member_Account: `member-account-${String(i).padStart(4, '0')}` }));
    const created = JSON.stringify({
      CallbackCommand: 'Group.CallbackAfterCreateGroup',
      GroupId: '@TGS#big',
      Type: 'Public',
      Owner_Account: 'owner',
      MemberList: members,
    });
    expect(created.length).toBeGreaterThan(20 * 1024);
    const answer = await sendImCallback(svc.url, 'Group.CallbackAfterCreateGroup', created, { token: TOKEN });
    expect({ status: answer.status, body: answer.json }).toEqual({ status: 200, body: OK });
    expect(business.received.at(-1)!.body).toBe(created);
    const heartbeat = await svc.post('/v1/rooms/big-room/heartbeat', { liveId: 'big-live', anchorId: 'a', pad: 'x'.repeat(20 * 1024) });
    expect(heartbeat.status).toBe(413); // the other routes keep their limit
  });

  it('acts on the commands it owns and still forwards them; IM gets its answer without waiting for the business', async () => {
    await startLive(svc, 'fw-room', 'fw-anchor');
    const before = business.received.length;
    business.answerNext({ delayMs: FORWARD_TIMEOUT_MS * 2, body: '{"ActionStatus":"FAIL","ErrorInfo":"busy","ErrorCode":1}' });
    const answer = await sendImCallback(svc.url, 'State.StateChange', disconnect('fw-anchor'), { token: TOKEN });
    expect({ status: answer.status, body: answer.json }).toEqual({ status: 200, body: OK });
    expect(answer.tookMs).toBeLessThan(FORWARD_TIMEOUT_MS);
    await waitFor(async () => (await stateOf('fw-room')) === 'interrupted', 5000, 'fw-room interrupted');
    const forwarded = await waitFor(() => business.received[before], 2000, 'the forwarded State.StateChange');
    expect(forwarded.query.get('CallbackCommand')).toBe('State.StateChange');
    expect(forwarded.body).toContain('"fw-anchor"');
  });

  it('answers 504 in IM’s form when the business is slower than the forwarding timeout, 502 when it is unreachable', async () => {
    business.answerNext({ delayMs: FORWARD_TIMEOUT_MS + 600 });
    const slow = await sendImCallback(svc.url, 'Group.CallbackBeforeSendMsg', beforeSend, { token: TOKEN });
    expect({ status: slow.status, body: slow.json }).toEqual({
      status: 504,
      body: { ActionStatus: 'FAIL', ErrorCode: 1, ErrorInfo: expect.stringContaining('in time') },
    });
    expect(slow.tookMs).toBeGreaterThanOrEqual(FORWARD_TIMEOUT_MS - 50);
    expect(slow.tookMs).toBeLessThan(2000); // IM's own wait

    const nowhere = await startTestApp({
      REDIS_URL: redis.url,
      NOTIFIERS: 'log',
      TENCENT_IM_CALLBACK_FORWARD_URL: `http://127.0.0.1:${await freePort()}/im`,
      ...SLOW_TIMINGS,
    });
    try {
      const unreachable = await sendImCallback(nowhere.url, 'Group.CallbackBeforeSendMsg', beforeSend);
      expect({ status: unreachable.status, body: unreachable.json }).toEqual({
        status: 502,
        body: { ActionStatus: 'FAIL', ErrorCode: 1, ErrorInfo: expect.stringContaining('unreachable') },
      });
    } finally {
      await nowhere.close();
    }
  });
});
