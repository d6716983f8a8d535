import { FakeTencentIm } from './support/fake-tencent-im';
import { RedisServer } from './support/redis-server';
import { startTestApp, TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';

const SDKAPPID = 1400000000;
const KEY = '5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e';

describe('TENCENT_IM_GROUP_ATTRIBUTES: the live state in the AVChatRoom group attributes', () => {
  let redis: RedisServer;
  let im: FakeTencentIm;
  let svc: TestApp;

  beforeAll(async () => {
    redis = await RedisServer.start();
    im = await FakeTencentIm.start(SDKAPPID, KEY);
    svc = await startTestApp({
      REDIS_URL: redis.url,
      NOTIFIERS: 'tencent-im',
      TENCENT_IM_GROUP_ATTRIBUTES: 'true',
      TENCENT_IM_SDKAPPID: String(SDKAPPID),
      TENCENT_IM_SECRET_KEY: KEY,
      TENCENT_IM_BASE_URL: im.url,
      TENCENT_IM_TIMEOUT_MS: '3100',
    });
  });

  afterAll(async () => {
    await svc?.close();
    await im?.close();
    await redis?.destroy();
  });

  /** What a viewer app's getGroupAttributes returns for `led_live`, parsed. */
  const attribute = (groupId: string) => {
    const value = im.groupAttributes.get(groupId)?.get('led_live');
    return value === undefined ? undefined : JSON.parse(value);
  };

  it('follows a crashed anchor: live, interrupted, then ended with its reason, within IM’s limits', async () => {
    const beat = await svc.post('/v1/rooms/ga-room/heartbeat', {
      liveId: 'ga-live',
      anchorId: 'ga-anchor',
      groupId: '@TGS#ga',
      timeoutMs: 2000,
    });
    expect(beat.status).toBe(200);
    await waitFor(() => attribute('@TGS#ga')?.state === 'live', 5000, 'state live in the group attributes');
    expect(attribute('@TGS#ga')).toMatchObject({
      roomId: 'ga-room',
      liveId: 'ga-live',
      anchorId: 'ga-anchor',
      reason: null,
      endedAt: null,
      seq: 1,
    });

    // No more beats: interrupted after 1 s, ended after 2 s.
    const ended = await waitFor(() => attribute('@TGS#ga')?.state === 'ended' && attribute('@TGS#ga'), 5000, 'state ended');
    expect(ended).toMatchObject({ liveId: 'ga-live', reason: 'timeout', seq: 3, endedAt: expect.any(Number) });
    const writes = im.requests.filter((r) => r.path === '/v4/group_open_http_svc/modify_group_attr' && r.body?.GroupId === '@TGS#ga');
    // One write per transition (started, interrupted, ended), each accepted by the fake's checks of IM's limits; each
    // writes the room's state as it stands when sent.
    expect(writes.map((r) => [r.errorCode, JSON.parse(r.body.GroupAttr[0].value).seq])).toEqual([
      [0, 1],
      [0, 2],
      [0, 3],
    ]);
    // The viewers were told as usual.
    expect(im.messages.filter((m) => m.groupId === '@TGS#ga').map((m) => m.data.type)).toEqual(['LIVE_INTERRUPTED', 'LIVE_ENDED']);
  });

  it('a live superseded by a new one in the room never overwrites the new live’s state', async () => {
    await svc.post('/v1/rooms/ga-super/heartbeat', { liveId: 'ga-super-1', anchorId: 'a', groupId: '@TGS#super', timeoutMs: 10000 });
    await svc.post('/v1/rooms/ga-super/heartbeat', { liveId: 'ga-super-2', anchorId: 'a', groupId: '@TGS#super', timeoutMs: 10000 });
    await waitFor(() => attribute('@TGS#super')?.liveId === 'ga-super-2', 5000, 'the new live in the attributes');
    await svc.post('/v1/rooms/ga-super/end', { liveId: 'ga-super-2', anchorId: 'a' });
    await waitFor(() => attribute('@TGS#super')?.state === 'ended', 5000, 'the new live ended');
    const states = im.requests
      .filter((r) => r.path === '/v4/group_open_http_svc/modify_group_attr' && r.body?.GroupId === '@TGS#super')
      .map((r) => JSON.parse(r.body.GroupAttr[0].value))
      .map((v) => `${v.liveId} ${v.state}${v.reason ? ` ${v.reason}` : ''}`);
    // Never "ga-super-1 ended superseded"; ga-super-1's start may or may not have been written before ga-super-2 began.
    expect(states.filter((s) => s.startsWith('ga-super-2'))).toEqual(['ga-super-2 live', 'ga-super-2 ended normal']);
    expect(states).not.toContain('ga-super-1 ended superseded');
    expect(attribute('@TGS#super')).toMatchObject({ liveId: 'ga-super-2', state: 'ended', reason: 'normal' });
  });
});
