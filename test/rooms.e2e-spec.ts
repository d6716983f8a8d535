import { Webhook } from 'standardwebhooks';
import { eventIdOf } from './support/event-ids';
import { startTestApp, TestApp, WEBHOOK_SECRET } from './support/test-app';
import { startTestRedis, TestRedis } from './support/test-redis';
import { sleep, waitFor } from './support/wait-for';
import { WebhookReceiver } from './support/webhook-receiver';

describe('heartbeats in, live-ended notices out', () => {
  let redis: TestRedis;
  let receiver: WebhookReceiver;
  let svc: TestApp;

  beforeAll(async () => {
    redis = await startTestRedis();
    receiver = await WebhookReceiver.start();
    svc = await startTestApp({
      ...redis.env,
      NOTIFIERS: 'webhook',
      WEBHOOK_URLS: receiver.url,
      WEBHOOK_SECRET,
    });
  });

  afterAll(async () => {
    await svc?.close();
    await receiver?.close();
    await redis?.destroy();
  });

  const beat = (roomId: string, body: Record<string, unknown>) => svc.post(`/v1/rooms/${roomId}/heartbeat`, body);

  it('detects a crashed anchor after the timeout and delivers exactly one live.ended (timeout)', async () => {
    const first = await beat('crash-room', { liveId: 'crash-live', anchorId: 'anchor-1' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ state: 'live', liveId: 'crash-live', nextHeartbeatInMs: 100 });
    expect(first.body.deadline).toBeGreaterThan(Date.now());

    const ended = await waitFor(() => receiver.events({ roomId: 'crash-room', type: 'live.ended' })[0], 5000, 'live.ended');
    expect(ended).toMatchObject({
      id: eventIdOf('crash-live', 3),
      seq: 3,
      liveId: 'crash-live',
      anchorId: 'anchor-1',
      groupId: 'crash-room',
      reason: 'timeout',
    });
    expect(ended.at).toBeGreaterThanOrEqual(first.body.deadline);

    await sleep(300); // several more sweeps: nothing else may arrive
    expect(receiver.events({ roomId: 'crash-room' }).map((e) => e.type)).toEqual(['live.started', 'live.interrupted', 'live.ended']);

    const status = await svc.get('/v1/rooms/crash-room');
    expect(status.body).toMatchObject({ state: 'ended', liveId: 'crash-live', reason: 'timeout', anchorId: 'anchor-1' });
    expect(status.body.endedAt).toBe(ended.at);
  });

  it('signs every webhook as Standard Webhooks say, with the event id as webhook-id', async () => {
    await beat('signed-room', { liveId: 'signed-live', anchorId: 'a' });
    await waitFor(() => receiver.requests.find((r) => r.json?.liveId === 'signed-live'));
    const request = receiver.requests.find((r) => r.json?.liveId === 'signed-live')!;
    const headers = request.headers as Record<string, string>;
    expect(headers['webhook-id']).toEqual(eventIdOf('signed-live', 1));
    expect(new Webhook(WEBHOOK_SECRET).verify(request.body, headers)).toEqual(request.json);
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`).verify(request.body, headers)).toThrow(
      'No matching signature',
    );
    await svc.post('/v1/rooms/signed-room/end', { liveId: 'signed-live', anchorId: 'a' });
  });

  it('ends a live normally, once, however often the anchor says so', async () => {
    await beat('normal-room', { liveId: 'normal-live', anchorId: 'a' });
    const end = await svc.post('/v1/rooms/normal-room/end', { liveId: 'normal-live', anchorId: 'a' });
    expect(end.status).toBe(200);
    expect(end.body).toEqual({ state: 'ended', liveId: 'normal-live', reason: 'normal', alreadyEnded: false });

    const again = await svc.post('/v1/rooms/normal-room/end', { liveId: 'normal-live', anchorId: 'a' });
    expect(again.status).toBe(200);
    expect(again.body.alreadyEnded).toBe(true);

    await waitFor(() => receiver.events({ roomId: 'normal-room', type: 'live.ended' }).length > 0);
    await sleep(800); // past the timeout: no timeout ending may follow
    expect(receiver.events({ roomId: 'normal-room', type: 'live.ended' })).toEqual([
      expect.objectContaining({ reason: 'normal', liveId: 'normal-live' }),
    ]);
  });

  it('answers 410 to a beat for a live that already ended, and does not bring it back', async () => {
    await beat('late-room', { liveId: 'late-live', anchorId: 'a' });
    await svc.post('/v1/rooms/late-room/end', { liveId: 'late-live', anchorId: 'a' });
    const late = await beat('late-room', { liveId: 'late-live', anchorId: 'a' });
    expect(late.status).toBe(410);
    expect(late.body.reason).toBe('normal');
    expect((await svc.get('/v1/rooms/late-room')).body.state).toBe('ended');
  });

  it('lets a new live supersede the old one without a timeout ending', async () => {
    await beat('restart-room', { liveId: 'before-restart', anchorId: 'a' });
    const restarted = await beat('restart-room', { liveId: 'after-restart', anchorId: 'a' });
    expect(restarted.status).toBe(200);

    const superseded = await waitFor(() => receiver.events({ roomId: 'restart-room', type: 'live.ended' })[0]);
    expect(superseded).toMatchObject({ liveId: 'before-restart', reason: 'superseded' });
    expect((await beat('restart-room', { liveId: 'before-restart', anchorId: 'a' })).status).toBe(410);

    // The new live keeps beating past the old one's deadline and stays live.
    for (let i = 0; i < 8; i++) {
      await sleep(100);
      expect((await beat('restart-room', { liveId: 'after-restart', anchorId: 'a' })).status).toBe(200);
    }
    expect((await svc.get('/v1/rooms/restart-room')).body).toMatchObject({ state: 'live', liveId: 'after-restart' });
    expect(receiver.events({ roomId: 'restart-room', type: 'live.ended' })).toHaveLength(1);
    await svc.post('/v1/rooms/restart-room/end', { liveId: 'after-restart', anchorId: 'a' });
  });

  it('marks a silent live interrupted, then resumes it when beats come back', async () => {
    await beat('blip-room', { liveId: 'blip-live', anchorId: 'a' });
    await waitFor(async () => (await svc.get('/v1/rooms/blip-room')).body.state === 'interrupted', 3000, 'interrupted');
    const back = await beat('blip-room', { liveId: 'blip-live', anchorId: 'a' });
    expect(back.status).toBe(200);
    expect((await svc.get('/v1/rooms/blip-room')).body.state).toBe('live');
    await waitFor(() => receiver.events({ roomId: 'blip-room', type: 'live.resumed' })[0]);
    expect(receiver.events({ roomId: 'blip-room' }).map((e) => [e.type, e.seq])).toEqual([
      ['live.started', 1],
      ['live.interrupted', 2],
      ['live.resumed', 3],
    ]);
    await svc.post('/v1/rooms/blip-room/end', { liveId: 'blip-live', anchorId: 'a' });
  });

  it('honours a room timeout within bounds and refuses one outside them', async () => {
    // A long room timeout (its suspect point is 10 s away), so a busy machine's stall cannot interrupt the live.
    const ok = await beat('slow-room', { liveId: 'slow-live', anchorId: 'a', timeoutMs: 20000 });
    expect(ok.status).toBe(200);
    expect(ok.body.nextHeartbeatInMs).toBe(3333);
    await sleep(900); // past the default timeout
    expect((await svc.get('/v1/rooms/slow-room')).body.state).toBe('live');

    const tooShort = await beat('slow-room', { liveId: 'slow-live', anchorId: 'a', timeoutMs: 10 });
    expect(tooShort.status).toBe(400);
    expect(tooShort.body.message.join()).toContain('timeoutMs');
    await svc.post('/v1/rooms/slow-room/end', { liveId: 'slow-live', anchorId: 'a' });
  });

  it('reports an unknown room as idle', async () => {
    const idle = await svc.get('/v1/rooms/never-used');
    expect(idle.status).toBe(200);
    expect(idle.body).toMatchObject({ roomId: 'never-used', state: 'idle', liveId: null });
  });

  it('refuses a beat from another anchor for the same live', async () => {
    await beat('owned-room', { liveId: 'owned-live', anchorId: 'owner' });
    const intruder = await beat('owned-room', { liveId: 'owned-live', anchorId: 'intruder' });
    expect(intruder.status).toBe(409);
    await svc.post('/v1/rooms/owned-room/end', { liveId: 'owned-live', anchorId: 'owner' });
  });

  describe('bad requests get 400 naming the field, and change nothing', () => {
    const cases: Array<[string, unknown, string]> = [
      ['missing liveId', { anchorId: 'a' }, 'liveId'],
      ['liveId of the wrong type', { liveId: 42, anchorId: 'a' }, 'liveId'],
      ['anchorId of the wrong type', { liveId: 'x', anchorId: ['a'] }, 'anchorId'],
      ['timeoutMs as a string', { liveId: 'x', anchorId: 'a', timeoutMs: '5000' }, 'timeoutMs'],
      ['an over-long liveId', { liveId: 'l'.repeat(129), anchorId: 'a' }, 'liveId'],
      ['a liveId with a separator', { liveId: 'a:b', anchorId: 'a' }, 'liveId'],
      ['an unknown field', { liveId: 'x', anchorId: 'a', color: 'red' }, 'color'],
    ];
    it.each(cases)('%s', async (_name, body, field) => {
      const response = await beat('bad-room', body as Record<string, unknown>);
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body.message)).toContain(field);
      expect((await svc.get('/v1/rooms/bad-room')).body.state).toBe('idle');
    });

    it('a bad roomId in the path', async () => {
      const response = await svc.post(`/v1/rooms/${'r'.repeat(200)}/heartbeat`, { liveId: 'x', anchorId: 'a' });
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body.message)).toContain('roomId');
    });

    it('a body that is not JSON', async () => {
      const response = await svc.post('/v1/rooms/bad-room/heartbeat', '{"liveId":');
      expect(response.status).toBe(400);
    });
  });
});
