import { HttpException, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { AnchorAuthenticator } from '../auth/anchor-authenticator';
import { isStorageOutage, StorageOutageResponder } from '../common/storage-outage';
import { requestLogLevel } from '../logging';
import { HeartbeatResult, MetricsService } from '../metrics/metrics.service';
import {
  HEARTBEAT_ROUTE,
  HeartbeatBody,
  heartbeatBodySchema,
  heartbeatParamsSchema,
  heartbeatResponseSchema,
  validationMessages,
} from './heartbeat.schema';
import { HeartbeatRateLimitedException } from './rate-limited';
import { RoomsService } from './rooms.service';

type HeartbeatRequest = FastifyRequest<{ Params: { roomId: string }; Body: HeartbeatBody }>;

/**
 * POST /v1/rooms/:roomId/heartbeat, served by Fastify directly rather than through a Nest controller: it is
 * the one route called thousands of times a second, and Nest's pipeline, class-validator and pino-http's
 * per-request child logger cost more CPU than the beat itself (bench/heartbeat.ts). Same contract as the
 * Nest routes: JWT auth before validation, 400 naming each field, the bodies of Nest's exceptions, 503 with
 * Retry-After while Redis is away, refused requests logged with their request id. Documented in OpenAPI by
 * heartbeat.openapi.ts from the same schemas.
 */
@Injectable()
export class HeartbeatRoute implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly rooms: RoomsService,
    private readonly authenticator: AnchorAuthenticator,
    private readonly outage: StorageOutageResponder,
    private readonly metrics: MetricsService,
    @InjectPinoLogger('Heartbeat') private readonly logger: PinoLogger,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.route({
      method: 'POST',
      url: HEARTBEAT_ROUTE,
      schema: { params: heartbeatParamsSchema, body: heartbeatBodySchema, response: { 200: heartbeatResponseSchema } },
      // Validation errors reach the handler, which answers them in the service's 400 format.
      attachValidation: true,
      preValidation: (request: HeartbeatRequest, reply) => this.authenticate(request, reply),
      handler: (request: HeartbeatRequest, reply) => this.beat(request, reply),
      // Also runs for what fails before the handler (a body that is not JSON, too large).
      onResponse: async (request, reply) => this.record(request, reply),
    });
  }

  private async authenticate(request: HeartbeatRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const refusal = await this.authenticator.refusal(request.headers.authorization, request.params.roomId, request.body?.anchorId);
    if (!refusal) return undefined;
    return reply
      .code(refusal.status)
      .header('www-authenticate', refusal.challenge)
      .send({ statusCode: refusal.status, message: refusal.message, error: refusal.status === 401 ? 'Unauthorized' : 'Forbidden' });
  }

  private async beat(request: HeartbeatRequest, reply: FastifyReply): Promise<unknown> {
    const invalid = request.validationError;
    if (invalid) {
      const message = validationMessages(invalid.validation, invalid.validationContext);
      return reply.code(400).send({ statusCode: 400, message, error: 'Bad Request' });
    }
    try {
      return await this.rooms.heartbeat(request.params.roomId, request.body);
    } catch (err) {
      return this.refuse(err, request, reply);
    }
  }

  private refuse(err: unknown, request: HeartbeatRequest, reply: FastifyReply): FastifyReply {
    if (err instanceof HeartbeatRateLimitedException) {
      // Whole seconds, rounded up, as HTTP wants.
      reply.header('retry-after', String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))));
    }
    if (err instanceof HttpException) return reply.code(err.getStatus()).send(err.getResponse());
    if (isStorageOutage(err)) {
      this.outage.refuse(err, reply);
      return reply;
    }
    this.logger.error({ err, reqId: request.id }, 'heartbeat failed');
    return reply.code(500).send({ statusCode: 500, message: 'Internal server error' });
  }

  /** Counts every heartbeat by result; logs the refused ones as the request logger logs other routes. */
  private record(request: FastifyRequest, reply: FastifyReply): void {
    this.metrics.heartbeat(heartbeatResult(reply.statusCode));
    const level = requestLogLevel(reply.statusCode);
    if (level !== 'silent') {
      this.logger[level](
        { req: request, res: { statusCode: reply.statusCode }, responseTime: Math.round(reply.elapsedTime) },
        'request completed',
      );
    }
  }
}

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
