import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { HealthStatus } from './health-status';
import { StoreHealth } from '../store/store-health';

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly store: StoreHealth,
  ) {}

  /** Liveness: the process answers. Deliberately independent of Redis, so an outage does not restart every pod. */
  @Get('healthz')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({ summary: 'Liveness', description: 'The process answers. Independent of Redis, so an outage does not restart every pod.' })
  @ApiOkResponse({ type: HealthStatus, example: { status: 'ok', info: {}, error: {}, details: {} } })
  liveness() {
    return this.health.check([]);
  }

  /** Readiness: this replica can reach Redis and so can take heartbeats; answers within REDIS_COMMAND_TIMEOUT_MS. */
  @Get('readyz')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({ summary: 'Readiness', description: 'This replica reaches Redis and can take heartbeats.' })
  @ApiOkResponse({
    type: HealthStatus,
    example: { status: 'ok', info: { redis: { status: 'up' } }, error: {}, details: { redis: { status: 'up' } } },
  })
  @ApiServiceUnavailableResponse({
    type: HealthStatus,
    description: 'Redis is unreachable.',
    example: {
      status: 'error',
      info: {},
      error: { redis: { status: 'down', message: 'Connection is closed.' } },
      details: { redis: { status: 'down', message: 'Connection is closed.' } },
    },
  })
  readiness() {
    return this.health.check([
      async () => {
        const redis = this.indicator.check('redis');
        try {
          await this.store.ping();
          return redis.up();
        } catch (err) {
          return redis.down({ message: (err as Error).message });
        }
      },
    ]);
  }
}
