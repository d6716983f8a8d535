import { RequestMethod } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { GATEWAY_HEARTBEATS_ROUTE } from './gateway/gateway-heartbeats.schema';
import { HEARTBEAT_ROUTE } from './rooms/heartbeat.schema';
import { Environment } from './config/environment';

export const REQUEST_ID_HEADER = 'x-request-id';
/** A caller's id is honoured only if it is short and plain, so it cannot forge or flood log lines. */
const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._:/+=-]{1,128}$/;
/** Query parameters that carry credentials (Tencent IM callbacks put `usersig` in the URL). */
const SECRET_QUERY_PARAMS = /^(usersig|sig|signature|token|access_token|secret|password|key)$/i;
const REDACTED = '[Redacted]';

/** The request's id: the caller's X-Request-Id when acceptable, else a new UUID. Fastify and pino share it. */
export function requestId(req: Pick<IncomingMessage, 'headers'>): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && ACCEPTED_REQUEST_ID.test(given) ? given : randomUUID();
}

/** The URL with credential-bearing query values replaced. */
export function redactUrl(url: string | undefined): string | undefined {
  if (!url || !url.includes('?')) return url;
  const at = url.indexOf('?');
  const query = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const name = pair.split('=', 1)[0];
      return SECRET_QUERY_PARAMS.test(safeDecode(name)) ? `${name}=${REDACTED}` : pair;
    });
  return `${url.slice(0, at)}?${query.join('&')}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Successful requests are not logged one by one (heartbeats would drown everything else); failures are.
 * 503 means Redis is away: StorageOutageResponder logs that once in a while, not per request.
 */
export function requestLogLevel(statusCode: number, err?: Error): 'silent' | 'info' | 'error' {
  if (statusCode === 503) return 'silent';
  if (err || statusCode >= 500) return 'error';
  return statusCode >= 400 ? 'info' : 'silent';
}

interface SerializedRequest {
  id: unknown;
  method: string;
  url: string;
  headers: Record<string, unknown>;
  remoteAddress?: string;
}

/**
 * JSON logs with a request id, at requestLogLevel. Credentials are kept out: only a few headers are logged,
 * secret query values are replaced, and the usual credential paths are redacted as a second net.
 * `destination` lets tests capture exactly what would reach stdout.
 */
export function loggerOptions(env: Environment, destination?: DestinationStream): Params {
  const options = {
    level: env.LOG_LEVEL,
    genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? requestId(req),
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) => requestLogLevel(res.statusCode, err),
    serializers: {
      req: (req: SerializedRequest) => ({
        id: req.id,
        method: req.method,
        url: redactUrl(req.url),
        remoteAddress: req.remoteAddress,
        headers: {
          'user-agent': req.headers['user-agent'],
          'content-length': req.headers['content-length'],
          [REQUEST_ID_HEADER]: req.headers[REQUEST_ID_HEADER],
        },
      }),
    },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.query.usersig',
        'res.headers["set-cookie"]',
        '*.token',
        '*.password',
        '*.secret',
        '*.authorization',
      ],
      censor: REDACTED,
    },
  };
  return {
    pinoHttp: destination ? [options, destination] : options,
    // The heartbeat routes log their own refusals (HeartbeatRoute, GatewayHeartbeatsRoute): a child logger per beat is too dear.
    exclude: [
      { method: RequestMethod.POST, path: HEARTBEAT_ROUTE },
      { method: RequestMethod.POST, path: GATEWAY_HEARTBEATS_ROUTE },
    ],
  };
}
