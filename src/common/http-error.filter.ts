import { STATUS_CODES } from 'node:http';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { isStorageOutage, StorageOutageResponder } from './storage-outage';

/**
 * Every error of every route (Nest's and the Fastify routes' parsing stage) leaves in one shape,
 * `{statusCode, error, message}`: a Redis outage is 503 with Retry-After (StorageOutageResponder); errors Fastify
 * raised before a handler ran (body too large, bad framing), which Nest hands over as an HttpException with only a
 * text, get the `error` name too; a client that went away mid-body is not logged as a server fault. The rest is
 * Nest's (HttpExceptions as they are; anything else a logged 500).
 */
@Catch()
export class HttpErrorFilter extends BaseExceptionFilter implements ExceptionFilter {
  constructor(
    applicationRef: ConstructorParameters<typeof BaseExceptionFilter>[0],
    private readonly outage: StorageOutageResponder,
  ) {
    super(applicationRef);
  }

  catch(err: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (err instanceof HttpException) {
      const response = err.getResponse();
      if (typeof response !== 'string') return super.catch(err, host);
      const statusCode = err.getStatus();
      reply.status(statusCode).send({ statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message: response });
      return;
    }
    if (isStorageOutage(err)) return this.outage.refuse(err, reply);
    if (isClientAbort(err)) {
      // The connection is gone (or going: a request timeout answered 408 and closed it); nothing to log or answer.
      if (!reply.sent && !reply.raw.destroyed)
        reply.status(400).send({ statusCode: 400, error: 'Bad Request', message: 'request aborted' });
      return;
    }
    return super.catch(err, host);
  }
}

/** The error a body read raises when the client closes the connection (or a timeout does) before it ends. */
function isClientAbort(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  return e?.code === 'ECONNRESET' || e?.code === 'ECONNABORTED' || e?.message === 'aborted';
}
