import { heartbeatBodySchema, heartbeatParamsSchema, heartbeatResponseSchema } from '../rooms/heartbeat.schema';

/**
 * The gateway route's request and response as JSON Schema. The request schema checks only the envelope
 * (an array of at most MAX_GATEWAY_BEATS objects); each beat is checked on its own against
 * gatewayBeatSchema, so one bad beat gets its own 400 and the others go through.
 */

export const GATEWAY_HEARTBEATS_ROUTE = '/v1/gateway/heartbeats';

/** Beats per request: a gateway sends more requests rather than one unbounded one. */
export const MAX_GATEWAY_BEATS = 500;

/** 500 beats of four 128-character ids each fit; anything larger is refused (413) before parsing. */
export const GATEWAY_BODY_LIMIT_BYTES = 512 * 1024;

/** One beat: the single route's body plus the roomId it takes from its path. */
export const gatewayBeatSchema = {
  type: 'object',
  properties: { roomId: heartbeatParamsSchema.properties.roomId, ...heartbeatBodySchema.properties },
  required: ['roomId', ...heartbeatBodySchema.required],
  additionalProperties: false,
} as const;

export const gatewayHeartbeatsBodySchema = {
  type: 'object',
  properties: {
    beats: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_GATEWAY_BEATS,
      description: `1–${MAX_GATEWAY_BEATS} beats, each as the single heartbeat route's body plus its roomId; any mix of rooms and anchors.`,
      items: { type: 'object' },
    },
  },
  required: ['beats'],
  additionalProperties: false,
} as const;

/**
 * One beat's result: exactly the body the single route would answer for it, with its status as `statusCode`
 * (200 for a beat taken). Fields absent when they do not apply.
 */
export const gatewayBeatResultSchema = {
  type: 'object',
  properties: {
    statusCode: {
      type: 'integer',
      enum: [200, 400, 403, 409, 410, 429, 500, 503],
      example: 200,
      description: 'What the single route would have answered.',
    },
    ...heartbeatResponseSchema.properties,
    error: { type: 'string', example: 'Gone', description: 'Refused beats: the status text.' },
    message: {
      description: 'Refused beats: why (for 400 one entry per offending field, each naming it).',
      oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    },
    reason: { type: 'string', enum: ['normal', 'timeout', 'disconnect', 'admin', 'superseded'], description: '410: how the live ended.' },
    retryAfterMs: { type: 'integer', description: '429: when this anchor may beat again (ms).' },
  },
  required: ['statusCode'],
} as const;

export const gatewayHeartbeatsResponseSchema = {
  type: 'object',
  properties: {
    results: { type: 'array', items: gatewayBeatResultSchema, description: 'One result per beat, in the order sent.' },
  },
  required: ['results'],
} as const;

export interface GatewayBeat {
  roomId: string;
  liveId: string;
  anchorId: string;
  groupId?: string;
  timeoutMs?: number;
}

export type GatewayBeatResult = { statusCode: number } & Record<string, unknown>;
