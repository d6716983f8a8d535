import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import type { MetricsService } from '../metrics/metrics.service';

const RETRY_AFTER_SECONDS = 1;
const LOG_EVERY_MS = 5000;

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
  private refusedSinceLog = 0;
  private lastLogAt = 0;

  constructor(
    applicationRef: ConstructorParameters<typeof BaseExceptionFilter>[0],
    private readonly metrics: MetricsService,
  ) {
    super(applicationRef);
  }

  catch(err: unknown, host: ArgumentsHost): void {
    if (err instanceof HttpException || !isStorageOutage(err)) return super.catch(err, host);
    this.metrics.redisError('request');
    this.logRefusal(err as Error);
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    reply
      .status(503)
      .header('retry-after', String(RETRY_AFTER_SECONDS))
      .send({ statusCode: 503, error: 'Service Unavailable', message: 'storage unavailable, retry shortly' });
  }

  /** One line per few seconds during an outage, not one per refused heartbeat. */
  private logRefusal(err: Error): void {
    this.refusedSinceLog++;
    if (Date.now() - this.lastLogAt < LOG_EVERY_MS) return;
    this.logger.warn(`${this.refusedSinceLog} request(s) refused with 503, Redis unavailable: ${err.message}`);
    this.refusedSinceLog = 0;
    this.lastLogAt = Date.now();
  }
}
