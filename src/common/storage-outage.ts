import { Global, Injectable, Logger, Module } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { MetricsService } from '../metrics/metrics.service';
import { storageFailure, StorageUnavailableError } from './storage-failure';

const RETRY_AFTER_SECONDS = 1;
const LOG_EVERY_MS = 5000;

/**
 * Answers a request that failed because Redis could not serve it with 503 and Retry-After, so anchor apps back
 * off and retry instead of hanging or seeing a 500; counts it by kind, and logs one line per few seconds, not one
 * per refused heartbeat.
 */
@Injectable()
export class StorageOutageResponder {
  private readonly logger = new Logger('Storage');
  private refusedSinceLog = 0;
  private lastLogAt = 0;

  constructor(private readonly metrics: MetricsService) {}

  /** `err` should be a storage failure (isStorageOutage); anything else is counted as kind `unreachable`. */
  refuse(err: Error, reply: FastifyReply): void {
    const failure = storageFailure(err) ?? new StorageUnavailableError('unreachable', err);
    this.metrics.redisError('request', failure);
    this.refusedSinceLog++;
    if (Date.now() - this.lastLogAt >= LOG_EVERY_MS) {
      this.logger.warn(`${this.refusedSinceLog} request(s) refused with 503, ${failure.message}`);
      this.refusedSinceLog = 0;
      this.lastLogAt = Date.now();
    }
    reply
      .status(503)
      .header('retry-after', String(RETRY_AFTER_SECONDS))
      .send({ statusCode: 503, error: 'Service Unavailable', message: 'storage unavailable, retry shortly' });
  }
}

export { isStorageOutage, storageFailure, StorageUnavailableError } from './storage-failure';
export type { StorageFailureKind } from './storage-failure';

/** Global: the exception filter and the heartbeat route share one responder (one log throttle). */
@Global()
@Module({ providers: [StorageOutageResponder], exports: [StorageOutageResponder] })
export class StorageOutageModule {}
