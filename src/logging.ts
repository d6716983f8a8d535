import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
// nestjs-pino's request-scoped logger store, which its PinoLogger reads (the package's own middleware fills it).
import { storage, Store } from 'nestjs-pino/storage';
import type { DestinationStream } from 'pino';
import { HttpLogger, Options as HttpOptions, pinoHttp } from 'pino-http';
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
 * The service's logger and its request logging (pino-http): JSON logs with a request id, at requestLogLevel.
 * Credentials are kept out: only a few headers are logged, secret query values are replaced, and the usual
 * credential paths are redacted as a second net. `destination` lets tests capture exactly what would reach stdout.
 */
export function createHttpLogger(env: Environment, destination?: DestinationStream): HttpLogger {
  const options: HttpOptions = {
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
  return pinoHttp(options, destination);
}

/**
 * nestjs-pino's settings: its Logger and PinoLogger write through `httpLogger`'s logger. It binds no request
 * itself (no routes): registerRequestLogging does, without Nest middleware.
 */
export function loggerModuleParams(httpLogger: HttpLogger): Params {
  return { pinoHttp: { logger: httpLogger.logger }, forRoutes: [] };
}

/** The heartbeat routes log their own refusals (HeartbeatRoute, GatewayHeartbeatsRoute): a child logger per beat is too dear. */
const UNLOGGED_POST_ROUTES = new Set([HEARTBEAT_ROUTE, GATEWAY_HEARTBEATS_ROUTE]);

/**
 * Logs each request with `httpLogger` and binds the request's logger for nestjs-pino's PinoLogger (its
 * AsyncLocalStorage, as nestjs-pino's own middleware does), in a Fastify onRequest hook. Nest middleware would
 * run through @fastify/middie and Nest's wrappers for every request, even one it excludes: that cost the
 * heartbeat route a fifth of its CPU (docs/benchmarks.md). The heartbeat routes are skipped.
 */
export function registerRequestLogging(fastify: FastifyInstance, httpLogger: HttpLogger): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    if (request.method === 'POST' && UNLOGGED_POST_ROUTES.has(request.routeOptions.url ?? '')) return done();
    const raw = request.raw as IncomingMessage & { id?: string };
    // pino-http logs the request under Fastify's id (genReqId above), which the response also carries.
    raw.id = request.id;
    httpLogger(raw, reply.raw);
    storage.run(new Store(raw.log), done);
  });
}
