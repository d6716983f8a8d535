import { createHash } from 'node:crypto';
import { RedisClusterSet } from './support/redis-cluster';
import { ask } from './support/redis-process';
import { startTestApp, TestApp, WEBHOOK_SECRET } from './support/test-app';
import { waitFor } from './support/wait-for';
import { WebhookReceiver } from './support/webhook-receiver';
import { webhookLaneName } from '../src/notify/notify.module';

const CALLBACK_TOKEN = 'cluster-callback-token';

/** An IM State.StateChange callback for `account`, signed as IM signs it: sha256(token + RequestTime). */
function disconnectCallback(account: string): [string, Record<string, unknown>] {
  const requestTime = String(Math.floor(Date.now() / 1000));
  const sign = createHash('sha256')
    .update(CALLBACK_TOKEN + requestTime)
    .digest('hex');
  const query = new URLSearchParams({ SdkAppid: '1400000000', CallbackCommand: 'State.StateChange', Sign: sign, RequestTime: requestTime });
  return [
    `/v1/callbacks/tencent-im?${query}`,
    { CallbackCommand: 'State.StateChange', EventTime: Date.now(), Info: { Action: 'Disconnect', To_Account: account } },
  ];
}

describe('REDIS_MODE=cluster against a real 3-primary Redis Cluster', () => {
  let cluster: RedisClusterSet;
  let receiver: WebhookReceiver;
  let svc: TestApp;

  beforeAll(async () => {
    cluster = await RedisClusterSet.start(3);
    receiver = await WebhookReceiver.start();
    svc = await startTestApp({
      ...cluster.env,
      NOTIFIERS: 'webhook',
      WEBHOOK_URLS: receiver.url,
      WEBHOOK_SECRET,
      SHARDS: '16',
      DELIVERY_CLAIM_IDLE_MS: '500',
      TENCENT_IM_SDKAPPID: '1400000000',
      TENCENT_IM_CALLBACK_TOKEN: CALLBACK_TOKEN,
      TENCENT_IM_DISCONNECT_GRACE_MS: '60000',
    });
  });

  afterAll(async () => {
    await svc?.close();
    await receiver?.close();
    await cluster?.destroy();
  });

  it('spreads the shards over every node', async () => {
    // The consumer groups were created at start-up: every shard's outbox exists, on its own node.
    expect(await cluster.keys('led:{*}:outbox')).toHaveLength(16);
    for (const node of cluster.nodes) expect((await ask(node.port, 'KEYS', 'led:{*}:outbox')) as string[]).not.toHaveLength(0);
    const holders = new Map<number, number[]>();
    for (let shard = 0; shard < 16; shard++) {
      const port = await cluster.nodeOf(`led:{${shard}}:outbox`);
      holders.set(port, [...(holders.get(port) ?? []), shard]);
    }
    expect(holders.size).toBe(3);
  });

  it('takes heartbeats, sweeps and delivers endings for rooms on every node', async () => {
    const rooms = Array.from({ length: 48 }, (_, i) => `cluster-room-${i}`);
    for (const room of rooms) {
      expect((await svc.post(`/v1/rooms/${room}/heartbeat`, { liveId: `${room}-live`, anchorId: 'a' })).status).toBe(200);
    }
    // Room records of different shards sit on different nodes, each in its shard's rooms hash.
    const roomNodes = new Set<number>();
    for (const node of cluster.nodes) {
      for (const key of (await ask(node.port, 'KEYS', 'led:{*}:rooms')) as string[]) {
        expect(await cluster.nodeOf(key)).toBe(node.port);
        const held = (await ask(node.port, 'HKEYS', key)) as string[];
        if (held.some((roomId) => roomId.startsWith('cluster-room-'))) roomNodes.add(node.port);
      }
    }
    expect(roomNodes.size).toBe(3);

    await waitFor(
      () => receiver.events({ type: 'live.ended' }).filter((e) => e.roomId.startsWith('cluster-room-')).length >= rooms.length,
      20000,
      'every ending',
    );
    const endings = receiver.events({ type: 'live.ended' }).filter((e) => e.roomId.startsWith('cluster-room-'));
    expect(new Set(endings.map((e) => e.id)).size).toBe(rooms.length);
    expect(endings.every((e) => e.reason === 'timeout')).toBe(true);
  });

  it('finds the room of an anchor named by an IM callback, whichever node holds the room', async () => {
    const rooms = Array.from({ length: 16 }, (_, i) => `im-room-${i}`);
    for (const room of rooms) {
      expect(
        (await svc.post(`/v1/rooms/${room}/heartbeat`, { liveId: `${room}-live`, anchorId: `${room}-anchor`, timeoutMs: 60000 })).status,
      ).toBe(200);
    }
    for (const room of rooms) expect((await svc.post(...disconnectCallback(`${room}-anchor`))).status).toBe(200);
    for (const room of rooms) expect((await svc.get(`/v1/rooms/${room}`)).body).toMatchObject({ state: 'interrupted' });
  });

  it('ends a live normally and refuses its liveId afterwards', async () => {
    await svc.post('/v1/rooms/cluster-normal/heartbeat', { liveId: 'cn-live', anchorId: 'a' });
    expect((await svc.post('/v1/rooms/cluster-normal/end', { liveId: 'cn-live', anchorId: 'a' })).body.reason).toBe('normal');
    expect((await svc.post('/v1/rooms/cluster-normal/heartbeat', { liveId: 'cn-live', anchorId: 'a' })).status).toBe(410);
  });

  it('reclaims (XAUTOCLAIM) entries a dead replica left pending, on every node', async () => {
    const client = cluster.client();
    try {
      // One orphan per node: pick a shard held by each.
      const shardOfNode = new Map<number, number>();
      for (let shard = 0; shard < 16; shard++) {
        const port = await cluster.nodeOf(`led:{${shard}}:outbox`);
        if (!shardOfNode.has(port)) shardOfNode.set(port, shard);
      }
      for (const shard of shardOfNode.values()) {
        const key = `led:{${shard}}:outbox`;
        const event = {
          id: `orphan-${shard}:1`,
          type: 'live.ended',
          seq: 1,
          roomId: `orphan-${shard}`,
          liveId: `orphan-${shard}`,
          anchorId: 'a',
          groupId: 'g',
          reason: 'timeout',
          at: Date.now(),
        };
        await client.xadd(key, '*', 'event', JSON.stringify(event));
      }
      // A replica that read everything new and died before acknowledging.
      for (const shard of shardOfNode.values()) {
        await client.xreadgroup(
          'GROUP',
          webhookLaneName(receiver.url),
          'dead-replica',
          'COUNT',
          1000,
          'STREAMS',
          `led:{${shard}}:outbox`,
          '>',
        );
      }
      const orphans = [...shardOfNode.values()].map((shard) => `orphan-${shard}`);
      await waitFor(() => orphans.every((room) => receiver.events({ roomId: room }).length > 0), 15000, 'reclaimed orphans');
    } finally {
      client.disconnect();
    }
  });
});
