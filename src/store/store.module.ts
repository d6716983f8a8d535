import { Global, Inject, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ConfigSection, InjectConfig, configSectionToken } from '../config/sections';
import { EventsModule } from '../events/events.module';
import { LiveEventBus } from '../events/live-event-bus';
import { Clock, SystemClock } from './clock';
import { GuardCounters } from './guard-counters';
import { KeyLayout } from './key-layout';
import { LiveStore } from './live-store';
import { defineLuaCommands } from './lua-scripts';
import { ImRateStore } from './im-rate-store';
import { OutboxStore } from './outbox-store';
import { RecentEndings } from './recent-endings';
import { guardLayout } from './layout-guard';
import { describeRedisTarget } from '../config/redis-target';
import { connectRedis, RedisClient } from './redis-connection';
import { checkRedisServers, connectWithProgress, StoreStartupError } from './redis-preflight';
import { REDIS } from './redis.tokens';
import { StatusStore } from './status-store';
import { StoreHealth } from './store-health';

/** How often a running replica checks that Redis still holds the layout record, ms. */
const LAYOUT_CHECK_MS = 5000;

/** Owns the Redis connection, the key layout and the scripts; the rest of the app sees only the stores. */
@Global()
@Module({
  imports: [EventsModule],
  providers: [
    {
      provide: REDIS,
      inject: [configSectionToken('store')],
      useFactory: (env: ConfigSection<'store'>) => {
        const redis = connectRedis(env);
        defineLuaCommands(redis);
        return redis;
      },
    },
    { provide: Clock, useClass: SystemClock },
    KeyLayout,
    LiveStore,
    OutboxStore,
    RecentEndings,
    GuardCounters,
    ImRateStore,
    StatusStore,
    StoreHealth,
  ],
  exports: [REDIS, Clock, KeyLayout, LiveStore, OutboxStore, RecentEndings, GuardCounters, ImRateStore, StatusStore, StoreHealth],
})
export class StoreModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  /** When the connection was lost (null while it works): one line when lost, one when back, none per retry. */
  private lostAt: number | null = null;
  private started = false;
  private layoutWatch: NodeJS.Timeout | null = null;

  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @InjectConfig('store') private readonly env: ConfigSection<'store'>,
    private readonly keys: KeyLayout,
    bus: LiveEventBus,
  ) {
    redis.on('error', (err: Error) => {
      bus.publish('connectionError', { error: err });
      if (!this.started || this.lostAt !== null) return; // start-up logs its own progress
      this.lostAt = Date.now();
      this.logger.warn(`Redis connection lost (${err.message}); reconnecting, requests get 503 meanwhile`);
    });
    redis.on('ready', () => {
      if (this.started) void this.checkAgain();
      if (this.lostAt === null) return;
      this.logger.log(`Redis reachable again after ${Date.now() - this.lostAt} ms`);
      this.lostAt = null;
    });
  }

  /**
   * After a reconnect (maybe to a promoted replica, or to a Redis that restarted empty): the start-up checks again,
   * as a loud error line (the service runs on). The layout is recorded anew when the data lost it, so a replica
   * started afterwards with another SHARDS is still refused.
   */
  private async checkAgain(): Promise<void> {
    try {
      await checkRedisServers(this.redis, this.env, `Redis (${describeRedisTarget(this.env)})`, this.logger);
      await guardLayout(this.redis, this.keys, this.logger);
    } catch (err) {
      this.logger.error(`after reconnecting: ${(err as Error).message}`);
    }
  }

  /** Connects (retrying up to REDIS_STARTUP_TIMEOUT_MS), then refuses a Redis that is too old, evicts, or holds another layout. */
  async onModuleInit(): Promise<void> {
    const target = `Redis (${describeRedisTarget(this.env)})`;
    await connectWithProgress(this.redis, this.env, target, this.logger);
    const servers = await checkRedisServers(this.redis, this.env, target, this.logger);
    const layout = await guardLayout(this.redis, this.keys, this.logger);
    this.logger.log(`connected to ${target} (${servers}); data in layout ${layout.layout}, SHARDS=${layout.shards}`);
    this.started = true;
    // Redis can lose the record with no reconnect (FLUSHALL, FLUSHDB, a key deleted by hand): look again now and then.
    this.layoutWatch = setInterval(() => void this.rerecordLayout(), LAYOUT_CHECK_MS);
    this.layoutWatch.unref();
  }

  /** Records the layout again when it is missing; a record that disagrees is logged, as after a reconnect. */
  private async rerecordLayout(): Promise<void> {
    if (this.redis.status !== 'ready') return; // the reconnect checks again
    try {
      if ((await this.redis.exists(this.keys.layoutRecord())) === 0) await guardLayout(this.redis, this.keys, this.logger);
    } catch (err) {
      if (err instanceof StoreStartupError) this.logger.error(`layout check: ${err.message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.layoutWatch) clearInterval(this.layoutWatch);
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
