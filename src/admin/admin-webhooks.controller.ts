import { ConflictException, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ApiAdminAuth, ErrorResponse } from '../openapi/api-responses';
import { ADMIN_SECURITY } from '../openapi/security-schemes';
import { BODY_EXCERPT_CHARS, WebhookTester, WebhookTestResult } from '../notify/webhook-tester';
import { AdminTokenGuard } from './admin-token.guard';

export class WebhookTestAnswer implements WebhookTestResult {
  @ApiProperty({ example: 'webhook-1f2e3d4c', description: "The URL's lane name, as in metrics and dead letters." })
  destination: string;

  @ApiProperty({ example: 'https://backend.example.com/hooks/live', description: 'The URL without credentials, query or fragment.' })
  url: string;

  @ApiProperty({ description: 'True for a 2xx answer.' })
  ok: boolean;

  @ApiProperty({ type: 'integer', nullable: true, example: 200, description: 'HTTP status; null when no answer came.' })
  status: number | null;

  @ApiProperty({ type: 'integer', example: 42, description: 'Milliseconds from sending to the answer or the failure.' })
  tookMs: number;

  @ApiProperty({ example: '{"received":true}', description: `The first ${BODY_EXCERPT_CHARS} characters of the answer's body.` })
  body: string;

  @ApiProperty({
    type: 'string',
    nullable: true,
    example: null,
    description: 'Why no answer came (time-out, ECONNREFUSED…); null when one came.',
  })
  error: string | null;
}

export class WebhookTestResponse {
  @ApiProperty({ type: [WebhookTestAnswer], description: 'One entry per WEBHOOK_URLS entry, in order.' })
  results: WebhookTestAnswer[];
}

/** Operator routes about the webhook destinations. */
@ApiTags('admin')
@ApiBearerAuth(ADMIN_SECURITY)
@ApiAdminAuth()
@UseGuards(AdminTokenGuard)
@Controller('v1/admin/webhooks')
export class AdminWebhooksController {
  constructor(private readonly tester: WebhookTester) {}

  @Post('test')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Send a signed test event to every webhook URL',
    description:
      'Each WEBHOOK_URLS entry gets one `webhook.test` event, signed as every webhook is (Standard Webhooks), at once; the answer ' +
      "reports each URL's status, time and body excerpt. Not written to the outbox and never retried.",
  })
  @ApiOkResponse({ type: WebhookTestResponse, description: 'How each URL answered (also when it failed: see `ok`).' })
  @ApiConflictResponse({ type: ErrorResponse, description: 'NOTIFIERS has no `webhook`: there is no URL to test.' })
  async test(): Promise<WebhookTestResponse> {
    if (!this.tester.configured) throw new ConflictException('no webhook is configured: NOTIFIERS does not include webhook');
    return { results: await this.tester.sendTestEvents() };
  }
}
