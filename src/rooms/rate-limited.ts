import { HttpException, HttpStatus } from '@nestjs/common';

/** An anchor beat faster than HEARTBEAT_RATE_PER_SEC allows; it may try again after `retryAfterMs` (HeartbeatRoute adds Retry-After). */
export class HeartbeatRateLimitedException extends HttpException {
  constructor(readonly retryAfterMs: number) {
    super(
      {
        statusCode: HttpStatus.TOO_MANY_REQUESTS,
        error: 'Too Many Requests',
        message: `heartbeats too frequent; retry after ${retryAfterMs} ms`,
        retryAfterMs,
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
