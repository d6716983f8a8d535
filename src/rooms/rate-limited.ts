import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

/** An anchor beat faster than HEARTBEAT_RATE_PER_SEC allows; it may try again after `retryAfterMs`. */
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

/** Adds Retry-After (whole seconds, rounded up, as HTTP wants) to the 429. */
@Catch(HeartbeatRateLimitedException)
export class HeartbeatRateLimitedFilter implements ExceptionFilter {
  catch(err: HeartbeatRateLimitedException, host: ArgumentsHost): void {
    host
      .switchToHttp()
      .getResponse<FastifyReply>()
      .status(err.getStatus())
      .header('retry-after', String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))))
      .send(err.getResponse());
  }
}
