import { BadRequestException, Body, Controller, ForbiddenException, HttpCode, Logger, Post, Query, UnauthorizedException } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiExtraModels, ApiForbiddenResponse, getSchemaPath, ApiOkResponse, ApiOperation, ApiProperty, ApiQuery, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Environment } from '../config/environment';
import { ErrorResponse } from '../openapi/api-responses';
import { verifyImCallback } from './callback-signature';
import { TencentImCallbacksService } from './tencent-im-callbacks.service';

/** The answer the IM service expects; anything else counts as a failed callback on its side. */
const OK = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 } as const;
const fail = (info: string) => ({ ActionStatus: 'FAIL', ErrorInfo: info, ErrorCode: 1 });

/** The answer body in the form the IM service reads. */
export class ImCallbackAnswer {
  @ApiProperty({ enum: ['OK', 'FAIL'], example: 'OK' })
  ActionStatus: string;

  @ApiProperty({ example: '' })
  ErrorInfo: string;

  @ApiProperty({ type: 'integer', example: 0, description: '0 when accepted, 1 when refused.' })
  ErrorCode: number;
}

/**
 * Tencent IM third-party callbacks (console → callback URL …/v1/callbacks/tencent-im). IM waits
 * 2 s and does not retry by default, so this answers at once; failures to act are only logged.
 */
@ApiTags('callbacks')
@Controller('v1/callbacks/tencent-im')
export class TencentImCallbacksController {
  private readonly logger = new Logger('TencentImCallbacks');

  constructor(
    private readonly env: Environment,
    private readonly callbacks: TencentImCallbacksService,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Tencent IM third-party callbacks',
    description:
      'State.StateChange (Disconnect/Logout/Login) and Group.CallbackOnMemberStateChange for an anchor speed detection up; ' +
      'every other command is accepted and ignored. Signed with TENCENT_IM_CALLBACK_TOKEN when it is set.',
  })
  @ApiQuery({ name: 'SdkAppid', required: false, schema: { type: 'string' } })
  @ApiQuery({ name: 'CallbackCommand', required: false, schema: { type: 'string' } })
  @ApiQuery({ name: 'Sign', required: false, schema: { type: 'string' }, description: 'sha256(token + RequestTime), hex' })
  @ApiQuery({ name: 'RequestTime', required: false, schema: { type: 'string' }, description: 'Unix seconds' })
  @ApiBody({ schema: { type: 'object', additionalProperties: true, example: { CallbackCommand: 'State.StateChange', Info: { To_Account: 'anchor-7', Action: 'Disconnect', Reason: 'LinkClose' } } } })
  @ApiOkResponse({ type: ImCallbackAnswer, description: 'Accepted (acted on, or ignored).' })
  @ApiExtraModels(ImCallbackAnswer, ErrorResponse)
  @ApiBadRequestResponse({
    description: 'The body is not a JSON object (IM form), or not JSON at all (refused before routing).',
    schema: { oneOf: [{ $ref: getSchemaPath(ImCallbackAnswer) }, { $ref: getSchemaPath(ErrorResponse) }] },
  })
  @ApiUnauthorizedResponse({ type: ImCallbackAnswer, description: 'Sign or RequestTime missing, wrong or stale.' })
  @ApiForbiddenResponse({ type: ImCallbackAnswer, description: 'SdkAppid is not TENCENT_IM_SDKAPPID.' })
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
