import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { HeartbeatResult, MetricsService } from '../metrics/metrics.service';

export const HEARTBEAT_ROUTE = '/v1/rooms/:roomId/heartbeat';

/** The result label for a heartbeat's HTTP status (documented in openapi.json). */
export function heartbeatResult(status: number): HeartbeatResult {
  if (status < 300) return 'ok';
  if (status === 410) return 'gone';
  if (status === 409) return 'conflict';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 429) return 'limited';
  if (status === 503) return 'unavailable';
  return status < 500 ? 'bad_request' : 'error';
}

/**
 * Counts heartbeats by result from the response Fastify sent, so that what never reaches the
 * controller (a body that is not JSON, too large) is counted as well as what the service refuses.
 */
@Injectable()
export class HeartbeatMetricsHook implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onResponse', async (request, reply) => {
      if (request.routeOptions.url === HEARTBEAT_ROUTE) this.metrics.heartbeat(heartbeatResult(reply.statusCode));
    });
  }
}
