import { HttpException, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import Ajv, { ValidateFunction } from 'ajv';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifySchemaValidationError } from 'fastify/types/schema';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { GatewayAuthenticator, GatewayIdentity, isRefusal } from '../auth/gateway-authenticator';
import { SCHEMA_VALIDATION_OPTIONS } from '../common/schema-validation';
import { isStorageOutage, StorageOutageResponder } from '../common/storage-outage';
import { requestLogLevel } from '../logging';
import { MetricsService } from '../metrics/metrics.service';
import { heartbeatResult } from '../rooms/heartbeat.route';
import { HeartbeatResponse, validationMessages } from '../rooms/heartbeat.schema';
import { RoomsService } from '../rooms/rooms.service';
import {
  GATEWAY_BODY_LIMIT_BYTES,
  GATEWAY_HEARTBEATS_ROUTE,
  GatewayBeat,
  GatewayBeatResult,
  gatewayBeatSchema,
  gatewayHeartbeatsBodySchema,
  gatewayHeartbeatsResponseSchema,
} from './gateway-heartbeats.schema';

type GatewayRequest = FastifyRequest<{ Body: { beats: unknown[] } }>;

/**
 * POST /v1/gateway/heartbeats: up to 500 beats of many anchors in one request, for a business's access service
 * (or Tencent's access channel in front of it) that already holds its anchors' connections. Served by Fastify
 * directly, like the single heartbeat route, and with the same answers: each beat's result is the body the
 * single route would give it, with its status as `statusCode`. The whole request is refused only when the
 * gateway token is (401), the envelope is malformed (400), or Redis is unreachable for every beat (503).
 * One Redis round trip per shard touched (RoomsService.heartbeats). Documented by gateway.openapi.ts.
 */
@Injectable()
export class GatewayHeartbeatsRoute implements OnModuleInit {
  private readonly validBeat: ValidateFunction<GatewayBeat>;
  private readonly gateways = new WeakMap<FastifyRequest, GatewayIdentity>();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly rooms: RoomsService,
    private readonly authenticator: GatewayAuthenticator,
    private readonly outage: StorageOutageResponder,
    private readonly metrics: MetricsService,
    @InjectPinoLogger('GatewayHeartbeats') private readonly logger: PinoLogger,
  ) {
    this.validBeat = new Ajv(SCHEMA_VALIDATION_OPTIONS).compile<GatewayBeat>(gatewayBeatSchema);
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.route({
      method: 'POST',
      url: GATEWAY_HEARTBEATS_ROUTE,
      bodyLimit: GATEWAY_BODY_LIMIT_BYTES,
      schema: { body: gatewayHeartbeatsBodySchema, response: { 200: gatewayHeartbeatsResponseSchema } },
      attachValidation: true,
      preValidation: (request: GatewayRequest, reply) => this.authenticate(request, reply),
      handler: (request: GatewayRequest, reply) => this.beat(request, reply),
      onResponse: async (request, reply) => this.record(request, reply),
    });
  }

  private async authenticate(request: GatewayRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const admitted = await this.authenticator.admit(request.headers.authorization);
    if (!isRefusal(admitted)) {
      this.gateways.set(request, admitted);
      return undefined;
    }
    return reply
      .code(admitted.status)
      .header('www-authenticate', admitted.challenge)
      .send({ statusCode: admitted.status, message: admitted.message, error: 'Unauthorized' });
  }

  private async beat(request: GatewayRequest, reply: FastifyReply): Promise<unknown> {
    const invalid = request.validationError;
    if (invalid) {
      const message = validationMessages(invalid.validation, invalid.validationContext);
      return reply.code(400).send({ statusCode: 400, message, error: 'Bad Request' });
    }
    const gateway = this.gateways.get(request)!;
    const { beats } = request.body;
    const results = new Array<GatewayBeatResult>(beats.length);
    const admitted: GatewayBeat[] = [];
    const positions: number[] = [];
    beats.forEach((beat, i) => {
      if (!this.validBeat(beat)) {
        const message = validationMessages(this.validBeat.errors as FastifySchemaValidationError[], 'body');
        results[i] = { statusCode: 400, error: 'Bad Request', message };
      } else if (!gateway.scope.covers(beat.roomId)) {
        results[i] = {
          statusCode: 403,
          error: 'Forbidden',
          message: `room ${beat.roomId} is outside the scope of gateway ${gateway.name}`,
        };
      } else {
        admitted.push(beat);
        positions.push(i);
      }
    });
    const answers = admitted.length > 0 ? await this.rooms.heartbeats(admitted) : [];
    let outage: Error | null = null;
    answers.forEach((answer, k) => {
      if (isStorageOutage(answer)) outage = answer;
      results[positions[k]] = this.result(answer, request);
    });
    for (const result of results) this.metrics.heartbeat(heartbeatResult(result.statusCode));
    // Nothing could be done at all: one 503 with Retry-After tells the gateway to back off.
    if (outage && results.every((r) => r.statusCode === 503)) {
      this.outage.refuse(outage, reply);
      return reply;
    }
    return { results };
  }

  /** The single route's answer for one beat, as a result entry. */
  private result(answer: HeartbeatResponse | Error, request: GatewayRequest): GatewayBeatResult {
    if (!(answer instanceof Error)) return { statusCode: 200, ...answer };
    if (answer instanceof HttpException) return answer.getResponse() as GatewayBeatResult;
    if (isStorageOutage(answer)) return { statusCode: 503, error: 'Service Unavailable', message: 'storage unavailable, retry shortly' };
    this.logger.error({ err: answer, reqId: request.id }, 'gateway heartbeat failed');
    return { statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' };
  }

  /** Logs refused requests (not refused beats: their results say why) as the request logger logs other routes. */
  private record(request: FastifyRequest, reply: FastifyReply): void {
    const level = requestLogLevel(reply.statusCode);
    if (level !== 'silent') {
      this.logger[level](
        { req: request, res: { statusCode: reply.statusCode }, responseTime: Math.round(reply.elapsedTime) },
        'request completed',
      );
    }
  }
}
