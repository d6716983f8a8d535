import { Global, Injectable, Logger, Module } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { MetricsService } from '../metrics/metrics.service';

const RETRY_AFTER_SECONDS = 1;
const LOG_EVERY_MS = 5000;

/** Errors ioredis raises while Redis is unreachable; anything else is a real fault (500). */
export function isStorageOutage(err: unknown): err is Error {
  if (!(err instanceof Error)) return false;
  return (
    ['MaxRetriesPerRequestError', 'ClusterAllFailedError'].includes(err.name) ||
    /Connection is closed|Stream isn't writeable|ECONNREFUSED|ECONNRESET|ETIMEDOUT|Command timed out|LOADING|TRYAGAIN|CLUSTERDOWN|READONLY|MASTERDOWN|Failed to refresh slots cache|None of sentinels are available/.test(
      err.message,
    )
  );
}

/**
 * Answers a request that failed because Redis is unreachable with 503 and Retry-After, so anchor apps back
 * off and retry instead of hanging or seeing a 500; counts it, and logs one line per few seconds, not one
 * per refused heartbeat.
 */
@Injectable()
export class StorageOutageResponder {
  private readonly logger = new Logger('Storage');
  private refusedSinceLog = 0;
  private lastLogAt = 0;

  constructor(private readonly metrics: MetricsService) {}

  refuse(err: Error, reply: FastifyReply): void {
    this.metrics.redisError('request');
    this.refusedSinceLog++;
    if (Date.now() - this.lastLogAt >= LOG_EVERY_MS) {
      this.logger.warn(`${this.refusedSinceLog} request(s) refused with 503, Redis unavailable: ${err.message}`);
      this.refusedSinceLog = 0;
      this.lastLogAt = Date.now();
    }
    reply
      .status(503)
      .header('retry-after', String(RETRY_AFTER_SECONDS))
      .send({ statusCode: 503, error: 'Service Unavailable', message: 'storage unavailable, retry shortly' });
  }
}

/** Global: the exception filter and the heartbeat route share one responder (one log throttle). */
@Global()
@Module({ providers: [StorageOutageResponder], exports: [StorageOutageResponder] })
export class StorageOutageModule {}
