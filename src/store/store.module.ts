import { Global, Inject, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Environment } from '../config/environment';
import { EventsModule } from '../events/events.module';
import { MetricsService } from '../metrics/metrics.service';
import { Clock, SystemClock } from './clock';
import { GuardCounters } from './guard-counters';
import { KeyLayout } from './key-layout';
import { LiveStore } from './live-store';
import { defineLuaCommands } from './lua-scripts';
import { OutboxStore } from './outbox-store';
import { RecentEndings } from './recent-endings';
import { connectRedis, RedisClient, whenReady } from './redis-connection';
import { REDIS } from './redis.tokens';

const STARTUP_TIMEOUT_MS = 30000;

/** Owns the Redis connection, the key layout and the scripts; the rest of the app sees only the stores. */
@Global()
@Module({
  imports: [EventsModule],
  providers: [
    {
      provide: REDIS,
      inject: [Environment],
      useFactory: (env: Environment) => {
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
  ],
  exports: [REDIS, Clock, KeyLayout, LiveStore, OutboxStore, RecentEndings, GuardCounters],
})
export class StoreModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');

  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    metrics: MetricsService,
  ) {
    redis.on('error', (err: Error) => {
      metrics.redisError('connection');
      this.logger.warn(`Redis error: ${err.message}`);
    });
  }

  async onModuleInit(): Promise<void> {
    // A failed first attempt is retried by the client's retry strategy; whenReady waits for it.
    if (this.redis.status === 'wait') this.redis.connect().catch(() => undefined);
    await whenReady(this.redis, STARTUP_TIMEOUT_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
