import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import type { MetricsService } from '../metrics/metrics.service';

const RETRY_AFTER_SECONDS = 1;

/** Errors ioredis raises while Redis is unreachable; anything else is a real fault (500). */
function isStorageOutage(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return (
    ['MaxRetriesPerRequestError', 'ClusterAllFailedError'].includes(err.name) ||
    /Connection is closed|Stream isn't writeable|ECONNREFUSED|ECONNRESET|ETIMEDOUT|Command timed out|LOADING|TRYAGAIN|CLUSTERDOWN|READONLY|MASTERDOWN|Failed to refresh slots cache|None of sentinels are available/.test(
      err.message,
    )
  );
}

/**
 * Turns a Redis outage into 503 with Retry-After, so anchor apps back off and retry
 * instead of hanging or seeing a 500.
 */
@Catch()
export class StorageUnavailableFilter extends BaseExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Storage');

  constructor(
    applicationRef: ConstructorParameters<typeof BaseExceptionFilter>[0],
    private readonly metrics: MetricsService,
  ) {
    super(applicationRef);
  }

  catch(err: unknown, host: ArgumentsHost): void {
    if (err instanceof HttpException || !isStorageOutage(err)) return super.catch(err, host);
    this.metrics.redisError('request');
    this.logger.warn(`request refused, Redis unavailable: ${(err as Error).message}`);
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    reply
      .status(503)
      .header('retry-after', String(RETRY_AFTER_SECONDS))
      .send({ statusCode: 503, error: 'Service Unavailable', message: 'storage unavailable, retry shortly' });
  }
}
