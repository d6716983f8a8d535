import { BadRequestException, CallHandler, ConflictException, ExecutionContext, GoneException, HttpException, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable, tap } from 'rxjs';
import { isStorageOutage } from '../common/storage-unavailable.filter';
import { HeartbeatResult, MetricsService } from '../metrics/metrics.service';

/**
 * Counts heartbeats by result. An interceptor sees what the validation pipe refuses (bad_request)
 * and what the storage filter will turn into 503 (unavailable), which the service itself never sees.
 */
@Injectable()
export class HeartbeatMetricsInterceptor implements NestInterceptor {
  constructor(private readonly metrics: MetricsService) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      tap({
        next: () => this.metrics.heartbeat('ok'),
        error: (err: unknown) => this.metrics.heartbeat(resultOf(err)),
      }),
    );
  }
}

function resultOf(err: unknown): HeartbeatResult {
  if (err instanceof GoneException) return 'gone';
  if (err instanceof ConflictException) return 'conflict';
  if (err instanceof BadRequestException) return 'bad_request';
  if (err instanceof HttpException) return err.getStatus() < 500 ? 'bad_request' : 'error';
  return isStorageOutage(err) ? 'unavailable' : 'error';
}
