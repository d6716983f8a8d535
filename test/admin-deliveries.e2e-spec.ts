import { webhookLaneName } from '../src/notify/notify.module';
import { RedisServer } from './support/redis-server';
import { startTestApp, TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';
import { WEBHOOK_SECRET, WebhookReceiver } from './support/webhook-receiver';

const ADMIN_TOKEN = 'operator-token-0123456789abcdef';

/** Dead letters and missed events as an API: list with filters, inspect, redeliver; page through the outbox. */
describe('admin API: deliveries, dead letters, missed events', () => {
  let redis: RedisServer;
  let receiver: WebhookReceiver;
  let svc: TestApp;
  const asAdmin = { authorization: `Bearer ${ADMIN_TOKEN}` };

  beforeAll(async () => {
    redis = await RedisServer.start();
    receiver = await WebhookReceiver.start();
    svc = await startTestApp({
      REDIS_URL: redis.url,
      ADMIN_TOKEN,
      NOTIFIERS: 'webhook',
      WEBHOOK_URLS: receiver.url,
      WEBHOOK_SECRET,
      SHARDS: '4',
      HEARTBEAT_TIMEOUT_MS: '60000',
      SUSPECT_AFTER_MS: '30000',
      HEARTBEAT_INTERVAL_MS: '5000',
      TIMEOUT_MIN_MS: '5000',
    });
  });

  afterAll(async () => {
    await svc?.close();
    await receiver?.close();
    await redis?.destroy();
  });

  it('refuses without ADMIN_TOKEN, and names the bad field', async () => {
    expect((await svc.get('/v1/admin/dead-letters')).status).toBe(401);
    expect((await svc.get('/v1/admin/events')).status).toBe(401);
    expect((await svc.post('/v1/admin/dead-letters/redeliver', { ids: [] })).status).toBe(401);
    const bad = await svc.get('/v1/admin/events?limit=0&type=live.exploded', asAdmin);
    expect(bad.status).toBe(400);
    expect(bad.body.message.join(' ')).toMatch(/limit/);
    expect(bad.body.message.join(' ')).toMatch(/type/);
    expect((await svc.get('/v1/admin/dead-letters/nonsense', asAdmin)).status).toBe(400);
    expect((await svc.get('/v1/admin/dead-letters/0:1-0', asAdmin)).status).toBe(404);
  });

  it('lists dead letters by lane, type and room; redelivers them once the backend takes them', async () => {
    const lane = webhookLaneName(receiver.url);
    // The backend refuses the rooms' starts for good (422): each becomes a dead letter.
    receiver.respondTo = (event) => (event?.roomId?.startsWith('dl-') && event.type === 'live.started' ? 422 : undefined);
    const rooms = ['dl-a', 'dl-b', 'dl-c'];
    for (const room of rooms) await svc.post(`/v1/rooms/${room}/heartbeat`, { liveId: `${room}-live`, anchorId: 'a' });
    await svc.post('/v1/rooms/dl-a/end', { liveId: 'dl-a-live', anchorId: 'a' });
    const listed = await waitFor(
      async () => {
        const page = (await svc.get(`/v1/admin/dead-letters?lane=${lane}&type=live.started`, asAdmin)).body;
        return page.items?.length === 3 && page;
      },
      10000,
      'three dead letters',
    );
    expect(listed.items.map((l: any) => l.event.roomId).sort()).toEqual(rooms);
    expect(listed.items[0]).toMatchObject({ lane, code: 422, attempts: 1, reason: expect.stringContaining('HTTP 422') });
    expect(listed.next).toBeNull();
    // The ending of dl-a went through after its start was given up.
    await waitFor(() => receiver.events({ roomId: 'dl-a', type: 'live.ended' }).length === 1, 10000, 'dl-a ending');

    const byRoom = (await svc.get('/v1/admin/dead-letters?roomId=dl-b', asAdmin)).body.items;
    expect(byRoom).toHaveLength(1);
    expect((await svc.get(`/v1/admin/dead-letters?lane=tencent-im`, asAdmin)).body.items).toEqual([]);
    expect((await svc.get(`/v1/admin/dead-letters?until=${listed.items[0].at - 1}`, asAdmin)).body.items).toEqual([]);
    const one = await svc.get(`/v1/admin/dead-letters/${encodeURIComponent(byRoom[0].id)}`, asAdmin);
    expect(one.body).toEqual(byRoom[0]);

    // Still refused: kept, with the reason. Then accepted: delivered once, with the same id, and removed.
    const refused = await svc.post('/v1/admin/dead-letters/redeliver', { ids: [byRoom[0].id] }, asAdmin);
    expect(refused.body.results).toEqual([{ id: byRoom[0].id, outcome: 'failed', reason: expect.stringContaining('422') }]);
    receiver.respondTo = null;
    const ids = listed.items.map((l: any) => l.id);
    const redelivered = await svc.post('/v1/admin/dead-letters/redeliver', { ids: [...ids, '0:1-0'] }, asAdmin);
    expect(redelivered.status).toBe(200);
    expect(redelivered.body.results.map((r: any) => r.outcome)).toEqual(['delivered', 'delivered', 'delivered', 'not-found']);
    for (const room of rooms) {
      const accepted = receiver.requests.filter((r) => r.json?.roomId === room && r.json.type === 'live.started');
      expect(accepted.at(-1)!.headers['webhook-id']).toBe(listed.items.find((l: any) => l.event.roomId === room).event.id);
    }
    expect((await svc.get('/v1/admin/dead-letters', asAdmin)).body.items).toEqual([]);
  });

  it('pages through the events kept in the outbox with a cursor, in order, none skipped or repeated', async () => {
    const since = Date.now() - 1000;
    const rooms = Array.from({ length: 23 }, (_, i) => `page-${i}`);
    for (const room of rooms) await svc.post(`/v1/rooms/${room}/heartbeat`, { liveId: `${room}-live`, anchorId: 'a' });
    for (const room of rooms) await svc.post(`/v1/rooms/${room}/end`, { liveId: `${room}-live`, anchorId: 'a' });

    const seen: any[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `cursor=${encodeURIComponent(cursor)}` : `since=${since}`;
      const page: any = (await svc.get(`/v1/admin/events?${query}&limit=5`, asAdmin)).body;
      seen.push(...page.items.filter((e: any) => e.roomId.startsWith('page-')));
      cursor = page.next;
      pages++;
    } while (cursor && pages < 100);
    expect(seen.map((e) => `${e.liveId}:${e.seq}`).sort()).toEqual(rooms.flatMap((r) => [`${r}-live:1`, `${r}-live:2`]).sort());
    expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
    // Each live's events in seq order; filters apply.
    for (const room of rooms) expect(seen.filter((e) => e.roomId === room).map((e) => e.seq)).toEqual([1, 2]);
    const endings = (await svc.get(`/v1/admin/events?since=${since}&type=live.ended&roomId=page-3`, asAdmin)).body.items;
    expect(endings.map((e: any) => [e.liveId, e.seq])).toEqual([['page-3-live', 2]]);

    const standings = (await svc.get('/v1/admin/deliveries', asAdmin)).body;
    expect(standings).toEqual([
      expect.objectContaining({
        lane: webhookLaneName(receiver.url),
        destination: `webhook ${new URL(receiver.url).origin}`,
        failing: null,
      }),
    ]);
  });
});
