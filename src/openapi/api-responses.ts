import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiPayloadTooLargeResponse,
  ApiUnsupportedMediaTypeResponse,
  ApiProperty,
  ApiBearerAuth,
  ApiServiceUnavailableResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ANCHOR_SECURITY } from './security-schemes';

/** The body Nest sends with every 4xx/5xx. */
export class ErrorResponse {
  @ApiProperty({ type: 'integer', example: 409 })
  statusCode: number;

  @ApiProperty({ example: 'Conflict', description: 'The status text.' })
  error: string;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    description: 'What went wrong; for 400, one entry per offending field, each naming it.',
    example: 'anchorId does not match the anchor of live live-42',
  })
  message: string | string[];
}

export class GoneResponse extends ErrorResponse {
  @ApiProperty({ enum: ['normal', 'timeout', 'disconnect', 'admin', 'superseded'], example: 'timeout', description: 'How the live ended.' })
  reason: string;
}

/**
 * Responses several routes share, as plain OpenAPI pieces (description, example, headers): the decorators
 * below dress Nest routes with them, and heartbeat.openapi.ts the heartbeat route Fastify serves.
 */
export const SHARED_RESPONSES = {
  validation: {
    description:
      'A field is missing, malformed or unknown (each named in `message`), or the body is not a JSON object: not JSON, empty, ' +
      'nested deeper than 32 levels, or with a `__proto__` / `constructor.prototype` key.',
    example: { statusCode: 400, error: 'Bad Request', message: ['liveId may contain only letters, digits and _ . @ -'] },
  },
  notJson: {
    description: 'The body is not declared as JSON: send it with `content-type: application/json`.',
    example: {
      statusCode: 415,
      error: 'Unsupported Media Type',
      message: 'send the body as JSON with content-type: application/json (got content-type: text/plain)',
    },
  },
  tooLarge: {
    description: 'The body is larger than the route accepts.',
    example: { statusCode: 413, error: 'Payload Too Large', message: 'Request body is too large' },
  },
  unavailable: {
    description: 'Redis is unreachable; retry after the number of seconds in Retry-After.',
    headers: { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer', example: 1 } } },
    example: { statusCode: 503, error: 'Service Unavailable', message: 'storage unavailable, retry shortly' },
  },
  anchorUnauthorized: {
    description: 'AUTH_MODE=jwt and the bearer token is missing, malformed, forged or expired.',
    headers: { 'WWW-Authenticate': { description: 'Bearer challenge.', schema: { type: 'string' } } },
    example: { statusCode: 401, message: 'anchor token expired', error: 'Unauthorized' },
  },
  anchorForbidden: {
    description: 'A valid token issued for another room or anchor.',
    example: { statusCode: 403, message: 'token is not for room room-1', error: 'Forbidden' },
  },
  conflict: {
    description: 'The live belongs to another anchorId.',
    example: { statusCode: 409, message: 'anchorId does not match the anchor of live live-42', error: 'Conflict' },
  },
};

/** 400 as the validation pipe answers it. */
export const ApiValidationError = () => ApiBadRequestResponse({ ...SHARED_RESPONSES.validation, type: ErrorResponse });

/** 413 and 415 from the body policy (common/body-policy.ts), on every route that takes a JSON body. */
export const ApiJsonBody = () =>
  applyDecorators(
    ApiPayloadTooLargeResponse({ ...SHARED_RESPONSES.tooLarge, type: ErrorResponse }),
    ApiUnsupportedMediaTypeResponse({ ...SHARED_RESPONSES.notJson, type: ErrorResponse }),
  );

/** 503 with Retry-After, from StorageOutageResponder, on every route that touches Redis. */
export const ApiStorageUnavailable = () => ApiServiceUnavailableResponse({ ...SHARED_RESPONSES.unavailable, type: ErrorResponse });

/** 401/403 from AdminTokenGuard. */
export const ApiAdminAuth = () =>
  applyDecorators(
    ApiUnauthorizedResponse({
      description: 'Missing or wrong `Authorization: Bearer <ADMIN_TOKEN>`.',
      type: ErrorResponse,
      example: { statusCode: 401, message: 'admin token required', error: 'Unauthorized' },
    }),
    ApiForbiddenResponse({
      description: 'The admin API is disabled: ADMIN_TOKEN is not set.',
      type: ErrorResponse,
      example: { statusCode: 403, message: 'admin API disabled: ADMIN_TOKEN is not set', error: 'Forbidden' },
    }),
  );

/** 401/403 from AnchorAuthenticator (AUTH_MODE=jwt). */
export const ApiAnchorAuth = () =>
  applyDecorators(
    ApiBearerAuth(ANCHOR_SECURITY),
    ApiUnauthorizedResponse({ ...SHARED_RESPONSES.anchorUnauthorized, type: ErrorResponse }),
    ApiForbiddenResponse({ ...SHARED_RESPONSES.anchorForbidden, type: ErrorResponse }),
  );

/** 409 when the live belongs to another anchor. */
export const ApiAnchorConflict = () => ApiConflictResponse({ ...SHARED_RESPONSES.conflict, type: ErrorResponse });

/** The 429 of the per-anchor heartbeat rate limit (documented by heartbeat.openapi.ts). */
export class RateLimitedResponse extends ErrorResponse {
  @ApiProperty({ type: 'integer', example: 180, description: 'Milliseconds to wait before the next beat.' })
  retryAfterMs: number;
}
