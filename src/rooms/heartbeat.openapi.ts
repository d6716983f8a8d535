import type { OpenAPIObject } from '@nestjs/swagger';
import { ErrorResponse, GoneResponse, RateLimitedResponse, SHARED_RESPONSES } from '../openapi/api-responses';
import { ANCHOR_SECURITY } from '../openapi/security-schemes';
import { heartbeatBodySchema, heartbeatParamsSchema, heartbeatResponseSchema } from './heartbeat.schema';

/** Models only the heartbeat's responses use; createDocument must be given them (extraModels). */
export const HEARTBEAT_MODELS = [GoneResponse, RateLimitedResponse];

interface ResponseDoc {
  description: string;
  example?: unknown;
  headers?: Record<string, unknown>;
}

const json = (model: { name: string }, { description, example, headers }: ResponseDoc) => ({
  description,
  ...(headers && { headers }),
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${model.name}` }, ...(example !== undefined && { example }) } },
});

/**
 * Adds POST /v1/rooms/{roomId}/heartbeat to the document. The route is served by Fastify directly
 * (HeartbeatRoute), so Nest's scanner does not see it; its schemas are the ones Fastify validates with.
 */
export function documentHeartbeat(document: OpenAPIObject): void {
  const { description: roomIdDescription, ...roomIdSchema } = heartbeatParamsSchema.properties.roomId;
  const schemas = (document.components ??= {}).schemas ?? (document.components.schemas = {});
  schemas.HeartbeatBody = heartbeatBodySchema as never;
  schemas.HeartbeatResponse = heartbeatResponseSchema as never;
  const post = {
    operationId: 'Rooms_heartbeat',
    summary: 'Start or keep a live',
    description:
      'The first beat of a liveId starts the live, later beats push its deadline out, a beat while `interrupted` ' +
      'resumes it. A new liveId in a room whose live is still on supersedes it (reason `superseded`, no viewer notice). ' +
      'Send the next beat after `nextHeartbeatInMs`.',
    tags: ['rooms'],
    security: [{ [ANCHOR_SECURITY]: [] }],
    parameters: [{ name: 'roomId', in: 'path', required: true, description: roomIdDescription, schema: roomIdSchema }],
    requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/HeartbeatBody' } } } },
    responses: {
      200: {
        description: 'The beat was taken.',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/HeartbeatResponse' } } },
      },
      400: json(ErrorResponse, SHARED_RESPONSES.validation),
      401: json(ErrorResponse, SHARED_RESPONSES.anchorUnauthorized),
      403: json(ErrorResponse, SHARED_RESPONSES.anchorForbidden),
      409: json(ErrorResponse, SHARED_RESPONSES.conflict),
      413: json(ErrorResponse, SHARED_RESPONSES.tooLarge),
      415: json(ErrorResponse, SHARED_RESPONSES.notJson),
      410: json(GoneResponse, {
        description: 'That liveId already ended; the app must start a new live with a new liveId.',
        example: {
          statusCode: 410,
          error: 'Gone',
          message: 'live live-42 already ended (timeout); start a new live with a new liveId',
          reason: 'timeout',
        },
      }),
      429: json(RateLimitedResponse, {
        description: 'The anchor beats faster than HEARTBEAT_RATE_PER_SEC allows.',
        headers: { 'Retry-After': { description: 'Seconds to wait (rounded up).', schema: { type: 'integer', example: 1 } } },
        example: { statusCode: 429, error: 'Too Many Requests', message: 'heartbeats too frequent; retry after 180 ms', retryAfterMs: 180 },
      }),
      503: json(ErrorResponse, SHARED_RESPONSES.unavailable),
    },
  };
  // First among the paths, where the controller's route used to be.
  document.paths = { '/v1/rooms/{roomId}/heartbeat': { post } as never, ...document.paths };
}
