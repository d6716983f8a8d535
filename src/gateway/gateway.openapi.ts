import type { OpenAPIObject } from '@nestjs/swagger';
import { SHARED_RESPONSES } from '../openapi/api-responses';
import { GATEWAY_SECURITY } from '../openapi/security-schemes';
import {
  GATEWAY_HEARTBEATS_ROUTE,
  gatewayBeatResultSchema,
  gatewayBeatSchema,
  gatewayHeartbeatsBodySchema,
  MAX_GATEWAY_BEATS,
} from './gateway-heartbeats.schema';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const error = (description: string, example: unknown, headers?: Record<string, unknown>) => ({
  description,
  ...(headers && { headers }),
  content: { 'application/json': { schema: ref('ErrorResponse'), example } },
});

/**
 * Adds POST /v1/gateway/heartbeats to the document. Served by Fastify directly (GatewayHeartbeatsRoute), so
 * Nest's scanner does not see it; the schemas are the ones the route validates with.
 */
export function documentGatewayHeartbeats(document: OpenAPIObject): void {
  const schemas = (document.components ??= {}).schemas ?? (document.components.schemas = {});
  schemas.GatewayBeat = gatewayBeatSchema as never;
  schemas.GatewayHeartbeatsBody = {
    ...gatewayHeartbeatsBodySchema,
    properties: { beats: { ...gatewayHeartbeatsBodySchema.properties.beats, items: ref('GatewayBeat') } },
  } as never;
  schemas.GatewayBeatResult = gatewayBeatResultSchema as never;
  schemas.GatewayHeartbeatsResponse = {
    type: 'object',
    properties: { results: { type: 'array', items: ref('GatewayBeatResult'), description: 'One result per beat, in the order sent.' } },
    required: ['results'],
  } as never;
  const post = {
    operationId: 'Gateway_heartbeats',
    summary: 'Heartbeats of many anchors in one request',
    description:
      `For a gateway that already holds its anchors' connections (the business's access service, or Tencent's access channel ` +
      `in front of it): up to ${MAX_GATEWAY_BEATS} beats of any rooms in its scope. Each beat is taken exactly as ` +
      '`POST /v1/rooms/{roomId}/heartbeat` would take it, and its result is the body that route would answer, with the status ' +
      'as `statusCode`: 200 (taken, with `deadline` and `nextHeartbeatInMs`), 400 (the beat is malformed, each field named), ' +
      "403 (the room is outside the gateway token's `rooms`), 409, 410, 429 (with `retryAfterMs`) or 503 (its Redis shard is " +
      'unreachable). The request itself answers 200 whatever its beats got.',
    tags: ['gateway'],
    security: [{ [GATEWAY_SECURITY]: [] }],
    requestBody: { required: true, content: { 'application/json': { schema: ref('GatewayHeartbeatsBody') } } },
    responses: {
      200: {
        description: 'Every beat has its result, in the order sent.',
        content: {
          'application/json': {
            schema: ref('GatewayHeartbeatsResponse'),
            example: {
              results: [
                { statusCode: 200, state: 'live', liveId: 'live-42', nextHeartbeatInMs: 5000, deadline: 1764275335123 },
                {
                  statusCode: 410,
                  error: 'Gone',
                  message: 'live live-7 already ended (timeout); start a new live with a new liveId',
                  reason: 'timeout',
                },
              ],
            },
          },
        },
      },
      400: error(`\`beats\` is missing, empty, longer than ${MAX_GATEWAY_BEATS} or not a list of objects, or the body is not JSON.`, {
        statusCode: 400,
        error: 'Bad Request',
        message: [`beats must NOT have more than ${MAX_GATEWAY_BEATS} items`],
      }),
      401: error(
        'AUTH_MODE=jwt and the gateway token is missing, malformed, forged, expired, or not typed `gateway+jwt` (an anchor token).',
        { statusCode: 401, message: 'token type not accepted here', error: 'Unauthorized' },
        { 'WWW-Authenticate': { description: 'Bearer challenge.', schema: { type: 'string' } } },
      ),
      413: error('The body is larger than 512 KiB.', { statusCode: 413, error: 'Payload Too Large', message: 'Request body is too large' }),
      415: error(SHARED_RESPONSES.notJson.description, SHARED_RESPONSES.notJson.example),
      503: error(
        SHARED_RESPONSES.unavailable.description + ' (every beat of the request).',
        SHARED_RESPONSES.unavailable.example,
        SHARED_RESPONSES.unavailable.headers,
      ),
    },
  };
  document.paths = { ...document.paths, [GATEWAY_HEARTBEATS_ROUTE]: { post } as never };
}
