import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** What @nestjs/terminus answers, described for the OpenAPI document. */
export class HealthStatus {
  @ApiProperty({ enum: ['ok', 'error', 'shutting_down'], example: 'ok' })
  status: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { redis: { status: 'up' } },
    description: 'Checks that passed.',
  })
  info?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: {}, description: 'Checks that failed, with their message.' })
  error?: Record<string, unknown>;

  @ApiProperty({ type: 'object', additionalProperties: true, example: { redis: { status: 'up' } }, description: 'Every check.' })
  details: Record<string, unknown>;
}
