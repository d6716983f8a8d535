import 'reflect-metadata';
import Redis from 'ioredis';
import { Environment } from '../../../src/config/environment';
import { LiveEventBus, TransitionsHappened } from '../../../src/events/live-event-bus';
import { MetricsService } from '../../../src/metrics/metrics.service';
import { GuardCounters } from '../../../src/store/guard-counters';
import { KeyLayout } from '../../../src/store/key-layout';
import { LiveStore } from '../../../src/store/live-store';
import { defineLuaCommands } from '../../../src/store/lua-scripts';
import { OutboxStore } from '../../../src/store/outbox-store';
import { MassTimeoutGuard } from '../../../src/sweeper/mass-timeout-guard';
import { RedisServer } from '../../support/redis-server';
import { ManualClock } from './manual-clock';

/**
 * The store tier: the store's real classes (LiveStore, OutboxStore, GuardCounters, the mass-timeout guard)
 * on a real redis-server, without the HTTP app, with a ManualClock for every rule that depends on time.
 * One redis-server per test file; `reset()` empties it between tests.
 */
export class StoreTier {
  readonly published: TransitionsHappened[] = [];
  private readonly settings: Environment;

  private constructor(
    readonly server: RedisServer,
    readonly redis: Redis,
    readonly env: Environment,
    readonly clock: ManualClock,
    readonly keys: KeyLayout,
    readonly bus: LiveEventBus,
    readonly lives: LiveStore,
    readonly outbox: OutboxStore,
    readonly guard: MassTimeoutGuard,
    readonly metrics: MetricsService,
  ) {
    bus.on('transitions', (happened) => this.published.push(happened));
    this.settings = { ...env };
  }

  /** Starts a redis-server and the store on it; `settings` override the Environment's defaults. */
  static async start(settings: Partial<Environment> = {}): Promise<StoreTier> {
    const server = await RedisServer.start();
    const redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
    defineLuaCommands(redis, { nowInclude: ManualClock.nowInclude });
    const env = Object.assign(new Environment(), settings);
    const clock = await ManualClock.start(redis);
    const keys = new KeyLayout(env);
    const bus = new LiveEventBus();
    const lives = new LiveStore(redis, keys, env, bus, clock);
    const outbox = new OutboxStore(redis, keys);
    const metrics = new MetricsService(lives, outbox, bus);
    const guard = new MassTimeoutGuard(env, lives, keys, new GuardCounters(redis, keys), clock, metrics);
    return new StoreTier(server, redis, env, clock, keys, bus, lives, outbox, guard, metrics);
  }

  /** Empties Redis, what was published and the metrics, restores the settings and sets the clock back to its start. */
  async reset(): Promise<void> {
    Object.assign(this.env, this.settings);
    await this.redis.flushall();
    this.published.length = 0;
    this.metrics.registry.resetMetrics();
    await this.clock.set(1_800_000_000_000);
  }

  /** The events in a room's shard outbox, oldest first. */
  async outboxEvents(roomId: string): Promise<Array<Record<string, unknown>>> {
    const entries = await this.redis.xrange(this.keys.outbox(this.keys.shardOf(roomId)), '-', '+');
    return entries.map(([, fields]) => JSON.parse(fields[fields.indexOf('event') + 1]) as Record<string, unknown>);
  }

  /** Sweeps every shard once, batch after batch, as SweeperService does (without its guard). */
  async sweep(hold = false): Promise<{ interrupted: number; ended: number }> {
    const total = { interrupted: 0, ended: 0 };
    for (const shard of this.keys.allShards()) {
      for (;;) {
        const outcome = await this.lives.sweepShard(shard, this.env.SWEEP_BATCH, hold);
        total.interrupted += outcome.interrupted;
        total.ended += outcome.ended;
        if (outcome.claimed < this.env.SWEEP_BATCH) break;
      }
    }
    return total;
  }

  async stop(): Promise<void> {
    this.redis.disconnect();
    await this.server.destroy();
  }
}
