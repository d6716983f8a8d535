import { BadRequestException, Body, Controller, ForbiddenException, HttpCode, Logger, Post, Query, UnauthorizedException } from '@nestjs/common';
import { Environment } from '../config/environment';
import { verifyImCallback } from './callback-signature';
import { TencentImCallbacksService } from './tencent-im-callbacks.service';

/** The answer the IM service expects; anything else counts as a failed callback on its side. */
const OK = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 } as const;
const fail = (info: string) => ({ ActionStatus: 'FAIL', ErrorInfo: info, ErrorCode: 1 });

/**
 * Tencent IM third-party callbacks (console → callback URL …/v1/callbacks/tencent-im). IM waits
 * 2 s and does not retry by default, so this answers at once; failures to act are only logged.
 */
@Controller('v1/callbacks/tencent-im')
export class TencentImCallbacksController {
  private readonly logger = new Logger('TencentImCallbacks');

  constructor(
    private readonly env: Environment,
    private readonly callbacks: TencentImCallbacksService,
  ) {}

  @Post()
  @HttpCode(200)
  async receive(@Query() query: Record<string, string | undefined>, @Body() raw: unknown): Promise<typeof OK> {
    this.authenticate(query);
    const body = parseBody(raw);
    const command = typeof query.CallbackCommand === 'string' ? query.CallbackCommand : body.CallbackCommand;
    try {
      await this.callbacks.handle(String(command ?? ''), body);
    } catch (err) {
      this.logger.warn(`callback ${command} not acted on: ${(err as Error).message}`);
    }
    return OK;
  }

  private authenticate(query: Record<string, string | undefined>): void {
    const { TENCENT_IM_SDKAPPID: sdkAppId, TENCENT_IM_CALLBACK_TOKEN: token } = this.env;
    if (sdkAppId !== undefined && query.SdkAppid !== String(sdkAppId)) {
      throw new ForbiddenException(fail('SdkAppid does not match TENCENT_IM_SDKAPPID'));
    }
    if (!token) return;
    const verdict = verifyImCallback(token, query.Sign, query.RequestTime, this.env.TENCENT_IM_CALLBACK_MAX_SKEW_SEC);
    if (verdict === 'missing') throw new UnauthorizedException(fail('Sign and RequestTime are required'));
    if (verdict === 'stale') throw new UnauthorizedException(fail('RequestTime is too far from now'));
    if (verdict === 'wrong') throw new UnauthorizedException(fail('Sign does not match'));
  }
}

function parseBody(raw: unknown): Record<string, any> {
  let body = raw;
  if (typeof raw === 'string') {
    try {
      body = JSON.parse(raw);
    } catch {
      body = null;
    }
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new BadRequestException(fail('body must be a JSON object'));
  return body as Record<string, any>;
}
