import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { Environment } from './config/environment';

/**
 * JSON logs with a request id. Successful requests are not logged one by one (heartbeats would
 * drown everything else); failures are. Credentials are redacted.
 */
export function loggerOptions(env: Environment): Params {
  return {
    pinoHttp: {
      level: env.LOG_LEVEL,
      genReqId: (req: IncomingMessage) => (req.headers['x-request-id'] as string) || randomUUID(),
      // 503 means Redis is away: StorageUnavailableFilter logs that once in a while, not per request.
      customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
        res.statusCode === 503 ? 'silent' : err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'silent',
      redact: ['req.headers.authorization', 'req.headers.cookie', 'req.query.usersig'],
    },
  };
}
