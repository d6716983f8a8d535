import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { REDIS } from '../store/redis.tokens';
import type { RedisClient } from '../store/redis-connection';

@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    @Inject(REDIS) private readonly redis: RedisClient,
  ) {}

  /** Liveness: the process answers. Deliberately independent of Redis, so an outage does not restart every pod. */
  @Get('healthz')
  @HealthCheck()
  liveness() {
    return this.health.check([]);
  }

  /** Readiness: this replica can reach Redis and so can take heartbeats. */
  @Get('readyz')
  @HealthCheck()
  readiness() {
    return this.health.check([
      async () => {
        const redis = this.indicator.check('redis');
        try {
          await this.redis.ping();
          return redis.up();
        } catch (err) {
          return redis.down({ message: (err as Error).message });
        }
      },
    ]);
  }
}
