import type { FastifySchemaValidationError } from 'fastify/types/schema';
import { GROUP_ID_CHARACTERS, GROUP_ID_PATTERN, ID_CHARACTERS, ID_MAX_LENGTH, ID_PATTERN, ROOM_ID_DESCRIPTION } from './rooms.dto';

/**
 * The heartbeat's request and response as JSON Schema: Fastify validates and serialises with them
 * (compiled once), and the OpenAPI document shows the same objects (heartbeat.openapi.ts).
 */

export const HEARTBEAT_ROUTE = '/v1/rooms/:roomId/heartbeat';

export interface HeartbeatBody {
  liveId: string;
  anchorId: string;
  groupId?: string;
  timeoutMs?: number;
}

export interface HeartbeatResponse {
  state: 'live';
  liveId: string;
  nextHeartbeatInMs: number;
  deadline: number;
}

const id = (description: string, example: string, pattern = ID_PATTERN) =>
  ({ type: 'string', description, example, pattern: pattern.source, minLength: 1, maxLength: ID_MAX_LENGTH }) as const;

export const heartbeatParamsSchema = {
  type: 'object',
  properties: { roomId: id(ROOM_ID_DESCRIPTION, 'room-1') },
  required: ['roomId'],
} as const;

export const heartbeatBodySchema = {
  type: 'object',
  properties: {
    liveId: id('One broadcast, unique per live; a new liveId starts a new live (superseding a running one).', 'live-42'),
    anchorId: id('The anchor (host) who owns the live; later beats and the end must carry the same.', 'anchor-7'),
    groupId: id(
      "The room's Tencent IM group, which receives the viewer notices. Defaults to the roomId.",
      '@TGS#aQWERTY',
      GROUP_ID_PATTERN,
    ),
    timeoutMs: {
      type: 'integer',
      description:
        "The room's own heartbeat timeout in ms, within TIMEOUT_MIN_MS..TIMEOUT_MAX_MS (defaults 5000..300000); " +
        'the suspect point and the beat interval scale with it. Defaults to HEARTBEAT_TIMEOUT_MS.',
      example: 30000,
    },
  },
  required: ['liveId', 'anchorId'],
  additionalProperties: false,
} as const;

export const heartbeatResponseSchema = {
  type: 'object',
  properties: {
    state: { type: 'string', enum: ['live'], description: 'Always `live`: the beat was taken (an interrupted live resumes).' },
    liveId: { type: 'string', example: 'live-42' },
    nextHeartbeatInMs: { type: 'integer', example: 5000, description: 'Send the next heartbeat after this many ms.' },
    deadline: {
      type: 'integer',
      example: 1764275335123,
      description: 'Epoch ms after which, without another beat, the live ends (reason `timeout`).',
    },
  },
  required: ['state', 'liveId', 'nextHeartbeatInMs', 'deadline'],
} as const;

/** What each pattern allows, in words, for the 400 message. */
const PATTERN_IN_WORDS: Record<string, string> = {
  [ID_PATTERN.source]: ID_CHARACTERS,
  [GROUP_ID_PATTERN.source]: GROUP_ID_CHARACTERS,
};

/** One message per schema violation, each naming its field, as the 400 of every other route does. */
export function validationMessages(errors: FastifySchemaValidationError[], context: string): string[] {
  return errors.map((error) => {
    const params = error.params as Record<string, unknown>;
    const field = error.instancePath.replace(/^\//, '').replace(/\//g, '.') || context;
    switch (error.keyword) {
      case 'required':
        return `${params.missingProperty} is required`;
      case 'additionalProperties':
        return `property ${params.additionalProperty} should not exist`;
      case 'type':
        // "body must be a JSON object", as the Nest routes say it (common/request-validation.ts).
        if (field === 'body' && params.type === 'object') return 'body must be a JSON object';
        return `${field} must be ${['integer', 'object', 'array'].includes(params.type as string) ? `an ${params.type}` : `a ${params.type}`}`;
      case 'pattern':
        return `${field} ${PATTERN_IN_WORDS[params.pattern as string] ?? `must match ${params.pattern}`}`;
      case 'maxLength':
        return `${field} must be at most ${params.limit} characters`;
      case 'minLength':
        return `${field} must not be empty`;
      default:
        return `${field} ${error.message}`;
    }
  });
}
