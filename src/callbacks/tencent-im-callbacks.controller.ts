import {
  BadRequestException,
  Body,
  Controller,
  ForbiddenException,
  HttpCode,
  HttpException,
  Logger,
  Post,
  Query,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiForbiddenResponse,
  ApiGatewayTimeoutResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiQuery,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiBadGatewayResponse,
  ApiSecurity,
} from '@nestjs/swagger';
import { IM_CALLBACK_SECURITY } from '../openapi/security-schemes';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConfigSection, InjectConfig } from '../config/sections';
import { IM_CALLBACK_ROUTE, CallbackBody } from './callback-body';
import { CallbackForwardError, CallbackForwarder } from './callback-forwarder';
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
 * Tencent IM third-party callbacks (console → callback URL …/v1/callbacks/tencent-im), protocol:
 * https://cloud.tencent.com/document/product/269/1522. IM waits 2 s and does not retry by default, so the
 * commands this service acts on are answered at once (failures to act are only logged). With
 * TENCENT_IM_CALLBACK_FORWARD_URL set, every authenticated callback also goes to the business's own callback
 * URL, and for the commands this service does not act on, the business's answer is IM's answer.
 * The body is read as JSON whatever its Content-Type (callback-body.ts), and every refusal is in IM's form.
 */
@ApiTags('callbacks')
@Controller(IM_CALLBACK_ROUTE.slice(1))
export class TencentImCallbacksController {
  private readonly logger = new Logger('TencentImCallbacks');
  private readonly forwarder: CallbackForwarder | null;

  constructor(
    @InjectConfig('callbacks') private readonly env: ConfigSection<'callbacks'>,
    private readonly callbacks: TencentImCallbacksService,
  ) {
    const url = env.TENCENT_IM_CALLBACK_FORWARD_URL;
    this.forwarder = url ? new CallbackForwarder(url, env.TENCENT_IM_CALLBACK_FORWARD_TIMEOUT_MS) : null;
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Receive a Tencent IM third-party callback',
    description:
      'State.StateChange (Disconnect/Logout/Login) and Group.CallbackOnMemberStateChange for an anchor speed detection up. ' +
      'Without TENCENT_IM_CALLBACK_FORWARD_URL every other command is accepted and ignored; with it, every callback is ' +
      "forwarded there (same query string and body) and for commands this service does not act on, the business's answer " +
      '(status, body) is returned as is. Signed with TENCENT_IM_CALLBACK_TOKEN when it is set. The body is read as JSON ' +
      'whatever the Content-Type, including none.',
  })
  @ApiSecurity(IM_CALLBACK_SECURITY)
  @ApiQuery({ name: 'SdkAppid', required: false, schema: { type: 'string' } })
  @ApiQuery({ name: 'CallbackCommand', required: false, schema: { type: 'string' } })
  @ApiQuery({ name: 'RequestTime', required: false, schema: { type: 'string' }, description: 'Unix seconds' })
  @ApiBody({
    schema: {
      type: 'object',
      additionalProperties: true,
      example: { CallbackCommand: 'State.StateChange', Info: { To_Account: 'anchor-7', Action: 'Disconnect', Reason: 'LinkClose' } },
    },
  })
  @ApiOkResponse({
    type: ImCallbackAnswer,
    description: "Accepted (acted on, or ignored), or the business's own answer to a forwarded command.",
  })
  @ApiBadRequestResponse({ type: ImCallbackAnswer, description: 'The body is not a JSON object.' })
  @ApiUnauthorizedResponse({ type: ImCallbackAnswer, description: 'Sign or RequestTime missing, wrong or stale.' })
  @ApiForbiddenResponse({ type: ImCallbackAnswer, description: 'SdkAppid is not TENCENT_IM_SDKAPPID.' })
  @ApiBadGatewayResponse({ type: ImCallbackAnswer, description: "Forwarding: the business's callback URL could not be reached." })
  @ApiGatewayTimeoutResponse({
    type: ImCallbackAnswer,
    description: 'Forwarding: the business did not answer within TENCENT_IM_CALLBACK_FORWARD_TIMEOUT_MS.',
  })
  async receive(
    @Query() query: Record<string, string | undefined>,
    @Body() raw: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    this.authenticate(query);
    const text = typeof raw === 'string' ? raw : raw === undefined ? '' : JSON.stringify(raw);
    const body = parseBody(text);
    const command = String((typeof query.CallbackCommand === 'string' ? query.CallbackCommand : body.CallbackCommand) ?? '');
    const owned = this.callbacks.owns(command);
    const forwarded = this.forwarder && this.forward(request, text);
    if (forwarded && !owned) return this.relay(await forwarded, reply);
    if (forwarded)
      forwarded
        .then((answer) => this.logForwarded(command, answer))
        .catch((err) => this.logger.warn(`callback ${command} not forwarded: ${(err as Error).message}`));
    try {
      await this.callbacks.handle(command, body);
    } catch (err) {
      this.logger.warn(`callback ${command} not acted on: ${(err as Error).message}`);
    }
    return OK;
  }

  private forward(request: FastifyRequest, body: string): Promise<ForwardResult> {
    const queryStart = request.url.indexOf('?');
    const query = queryStart < 0 ? '' : request.url.slice(queryStart + 1);
    const contentType = request.headers['content-type'];
    return this.forwarder!.forward(query, body, contentType).catch((err: unknown) => {
      if (err instanceof CallbackForwardError) return err;
      throw err;
    });
  }

  /** The business's answer, as is; when it gave none, a 502/504 in IM's form (IM counts it a failed callback). */
  private relay(result: ForwardResult, reply: FastifyReply): unknown {
    if (result instanceof CallbackForwardError) {
      this.logger.warn(`forwarded callback: ${result.message}`);
      throw new HttpException(fail(result.message), result.reason === 'timeout' ? 504 : 502);
    }
    reply.code(result.status);
    if (result.contentType) reply.header('content-type', result.contentType);
    return result.body;
  }

  private logForwarded(command: string, result: ForwardResult): void {
    if (result instanceof CallbackForwardError) this.logger.warn(`callback ${command} forwarded: ${result.message}`);
    else if (result.status !== 200) this.logger.warn(`callback ${command} forwarded: the business answered HTTP ${result.status}`);
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

type ForwardResult = Awaited<ReturnType<CallbackForwarder['forward']>> | CallbackForwardError;

function parseBody(text: string): CallbackBody {
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    /* refused below */
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new BadRequestException(fail('body must be a JSON object'));
  return body as CallbackBody;
}
