import { AnchorFleet, heartbeat } from '../support/anchor-fleet';
import { parseEventId } from '../support/event-ids';
import { RedisServer } from '../support/redis-server';
import { ServiceProcess } from '../support/service-process';
import { WEBHOOK_SECRET } from '../support/test-app';
import { sampleValue } from '../support/prometheus-text';
import { waitFor } from '../support/wait-for';
import { WebhookReceiver } from '../support/webhook-receiver';
import { decodeRoomRecord } from '../../src/store/room-record';

/** Several processes of the built service (node dist/main.js) over one Redis, some of them killed. */
describe('replicas', () => {
  let redis: RedisServer;
  let receiver: WebhookReceiver;
  let replicas: ServiceProcess[] = [];
  let fleet: AnchorFleet | null = null;

  beforeEach(async () => {
    redis = await RedisServer.start();
    receiver = await WebhookReceiver.start();
  });

  afterEach(async () => {
    await fleet?.stop();
    fleet = null;
    await Promise.all(replicas.map((r) => r.stop('SIGKILL')));
    replicas = [];
    await receiver.close();
    await redis.destroy();
  });

  const startReplicas = async (count: number, env: Record<string, string> = {}) => {
    replicas = await Promise.all(
      Array.from({ length: count }, () =>
        ServiceProcess.start({
          REDIS_URL: redis.url,
          NOTIFIERS: 'webhook',
          WEBHOOK_URLS: receiver.url,
          WEBHOOK_SECRET,
          ...env,
        }),
      ),
    );
  };

  /** Sweeps each replica has completed (led_sweep_duration_seconds_count on its /metrics). */
  const sweepCounts = () =>
    Promise.all(replicas.map(async (r) => sampleValue(await (await fetch(`${r.url}/metrics`)).text(), 'led_sweep_duration_seconds_count')));

  it('3 replicas, 600 anchors, 180 stop: each stopped room gets exactly one ending, no running one any', async () => {
    // Beats every 1.5 s; a live ends after 9 s of silence: six beats of margin, so a busy machine (CI runs this
    // beside other work) does not starve a running anchor, at 400 requests a second from this process.
    await startReplicas(3, {
      HEARTBEAT_TIMEOUT_MS: '9000',
      SUSPECT_AFTER_MS: '4500',
      HEARTBEAT_INTERVAL_MS: '1500',
      TIMEOUT_MIN_MS: '1500',
      SWEEP_INTERVAL_MS: '200',
    });
    fleet = new AnchorFleet(600, (anchor) => replicas[anchor % 3].url, 1500, 'many');
    fleet.start();
    await waitFor(() => receiver.distinctEvents({ type: 'live.started' }).length === 600, 60000, '600 lives started').catch((err) => {
      const statuses = fleet!.results.reduce<Record<string, number>>(
        (m, r) => ((m[String(r.status)] = (m[String(r.status)] ?? 0) + 1), m),
        {},
      );
      throw new Error(`${err.message}: got ${receiver.distinctEvents({ type: 'live.started' }).length}, beats ${JSON.stringify(statuses)}`);
    });

    const stopped = Array.from({ length: 180 }, (_, i) => i * 3 + 1); // spread over rooms and replicas
    for (const anchor of stopped) fleet.crash(anchor);
    await waitFor(() => receiver.distinctEvents({ type: 'live.ended' }).length >= 180, 60000, '180 endings');
    // Nothing more may come: wait until every replica has swept three more times.
    const counted = await sweepCounts();
    await waitFor(async () => (await sweepCounts()).every((n, i) => n >= counted[i] + 3), 30000, 'three more sweeps on every replica');

    // One ending per stopped room: repeats of one event (same webhook-id) are allowed, two endings are not.
    const endings = receiver.distinctEvents({ type: 'live.ended' });
    expect(endings).toHaveLength(180);
    expect(new Set(endings.map((e) => e.roomId))).toEqual(new Set(stopped.map((a) => fleet!.roomId(a))));
    expect(endings.every((e) => e.reason === 'timeout')).toBe(true);
    expect(fleet.results.filter((r) => r.status !== 200)).toEqual([]);
  }, 180000);

  it('a replica killed with SIGKILL mid-delivery loses no event, and repeats carry the same idempotency key', async () => {
    await startReplicas(3, {
      DELIVERY_CONCURRENCY: '4',
      DELIVERY_CLAIM_IDLE_MS: '2000',
      DELIVERY_BACKOFF_MAX_MS: '500',
      // Long timeouts: each live has exactly two events (started, ended), however slow the machine.
      HEARTBEAT_TIMEOUT_MS: '60000',
      SUSPECT_AFTER_MS: '30000',
      HEARTBEAT_INTERVAL_MS: '5000',
      TIMEOUT_MIN_MS: '5000',
    });
    receiver.delayMs = 150; // a slow backend keeps deliveries in flight
    const lives = Array.from({ length: 120 }, (_, i) => i);
    await Promise.all(lives.map((i) => heartbeat(replicas[i % 3].url, `kill-room-${i}`, `kill-live-${i}`, `anchor-${i}`)));
    await Promise.all(
      lives.map((i) =>
        fetch(`${replicas[(i + 1) % 3].url}/v1/rooms/kill-room-${i}/end`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ liveId: `kill-live-${i}`, anchorId: `anchor-${i}` }),
        }),
      ),
    );
    await waitFor(() => receiver.requests.length >= 20, 10000, 'deliveries under way');
    await replicas[0].stop('SIGKILL');

    const expected = lives.flatMap((i) => [`kill-live-${i}:1`, `kill-live-${i}:2`]);
    const liveAndSeq = (id: unknown) => {
      const parsed = parseEventId(String(id));
      return parsed && `${parsed.liveId}:${parsed.seq}`;
    };
    await waitFor(
      () => expected.every((id) => receiver.requests.some((r) => liveAndSeq(r.headers['webhook-id']) === id)),
      60000,
      'every event delivered',
    );

    const byKey = new Map<string, Set<string>>();
    for (const request of receiver.requests) {
      const key = request.headers['webhook-id'] as string;
      byKey.set(key, (byKey.get(key) ?? new Set()).add(JSON.stringify(request.json)));
    }
    for (const [key, bodies] of byKey) {
      expect(bodies.size).toBe(1); // a repeat is the same event
      expect(JSON.parse([...bodies][0]).id).toBe(key);
    }
    // One id per event: each live's two events, each under one id whoever delivered it.
    expect(new Set(receiver.requests.map((r) => liveAndSeq(r.headers['webhook-id'])))).toEqual(new Set(expected));
    expect(byKey.size).toBe(expected.length);
  }, 120000);

  it('SIGTERM under load: requests in flight are answered and nothing is left half-written', async () => {
    await startReplicas(1);
    const [service] = replicas;
    let answered = 0;
    const beats = Array.from({ length: 400 }, (_, i) =>
      heartbeat(service.url, `term-room-${i}`, `term-live-${i}`, 'a').finally(() => answered++),
    );
    await waitFor(() => answered >= 20, 10000, 'the first answers'); // the rest are on the wire
    const exitCode = service.stop('SIGTERM');
    const results = await Promise.all(beats);
    expect(await exitCode).toBe(0);

    const accepted = results
      .map((r, i) => [r, i] as const)
      .filter(([r]) => r.status === 200)
      .map(([, i]) => i);
    // Accepted (200), or refused as the server closes (503, or connection refused): never a 500.
    expect(results.filter((r) => ![200, 503, 'error'].includes(r.status))).toEqual([]);
    expect(accepted.length).toBeGreaterThan(0);

    const client = redis.client();
    const records = [];
    for (const key of await client.keys('led:{*}:rooms')) {
      const hash = await client.hgetallBuffer(key);
      records.push(...Object.entries(hash).map(([roomId, packed]) => decodeRoomRecord(roomId, packed)));
    }
    const events = [];
    for (const key of await client.keys('led:{*}:outbox')) events.push(...(await client.xrange(key, '-', '+')));
    const startedRooms = events
      .map(([, fields]) => JSON.parse(fields[1]))
      .filter((e) => e.type === 'live.started')
      .map((e) => e.roomId);
    client.disconnect();

    // Every accepted beat is stored; every stored live is whole and has its started event.
    expect(records.length).toBeGreaterThanOrEqual(accepted.length);
    for (const record of records) {
      expect(record).toMatchObject({ anchorId: 'a', liveId: `term-live-${record.roomId.slice('term-room-'.length)}` });
      expect(record.seq).toBeGreaterThanOrEqual(1);
      expect(record.startedAt).toBeGreaterThan(0);
    }
    const announced = new Set([...startedRooms, ...receiver.events({ type: 'live.started' }).map((e) => e.roomId)]);
    expect(records.filter((record) => !announced.has(record.roomId))).toEqual([]);
  });
});
