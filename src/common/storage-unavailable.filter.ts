import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { isStorageOutage, StorageOutageResponder } from './storage-outage';

/** Turns a Redis outage in any Nest route into 503 with Retry-After (StorageOutageResponder); the rest goes to Nest. */
@Catch()
export class StorageUnavailableFilter extends BaseExceptionFilter implements ExceptionFilter {
  constructor(
    applicationRef: ConstructorParameters<typeof BaseExceptionFilter>[0],
    private readonly outage: StorageOutageResponder,
  ) {
    super(applicationRef);
  }

  catch(err: unknown, host: ArgumentsHost): void {
    if (err instanceof HttpException || !isStorageOutage(err)) return super.catch(err, host);
    this.outage.refuse(err, host.switchToHttp().getResponse<FastifyReply>());
  }
}
