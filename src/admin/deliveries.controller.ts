import { BadRequestException, Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import type { LiveEvent } from '../events/live-event';
import { DeliveryError } from '../notify/notifier';
import { OutboxConsumer } from '../notify/outbox-consumer';
import { ApiAdminAuth, ApiStorageUnavailable, ApiValidationError, ErrorResponse } from '../openapi/api-responses';
import { ADMIN_SECURITY } from '../openapi/security-schemes';
import { ID_MAX_LENGTH, ID_PATTERN } from '../rooms/rooms.dto';
import { DeadLetter, LaneStanding, OutboxStore } from '../store/outbox-store';
import { AdminTokenGuard } from './admin-token.guard';

const EVENT_TYPES = ['live.started', 'live.interrupted', 'live.resumed', 'live.ended'];
/** `<stream id>/<shard>`, each part within what Redis and a JavaScript number hold (a longer one is a 400, not a Redis error). */
const CURSOR = /^\d{1,15}-\d{1,15}\/\d{1,4}$/;
/** The latest time a JavaScript Date can hold (epoch ms): anything later is no time at all. */
const MAX_EPOCH_MS = 8_640_000_000_000_000;
const LETTER_ID = /^\d{1,4}:\d{1,15}-\d{1,15}$/;
/** Most dead letters one redelivery call takes: each is one attempt, made while the request waits. */
const REDELIVER_MAX = 500;
/** Attempts of one redelivery call in flight at once. */
const REDELIVER_CONCURRENCY = 8;

class PageQuery {
  @ApiPropertyOptional({
    type: 'integer',
    description: "Start at this time (epoch ms, the outbox's clock); ignored with `cursor`.",
    example: 1764275335123,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_EPOCH_MS)
  since?: number;

  @ApiPropertyOptional({
    description: 'Continue after this item: the `next` of the previous page.',
    example: '1764275335123-0/7',
    pattern: CURSOR.source,
  })
  @IsOptional()
  @IsString()
  @Matches(CURSOR, { message: 'cursor must be the `next` of a previous page' })
  cursor?: string;

  @ApiPropertyOptional({ type: 'integer', default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit = 100;

  @ApiPropertyOptional({ enum: EVENT_TYPES, description: 'Only events of this type.' })
  @IsOptional()
  @IsIn(EVENT_TYPES)
  type?: string;

  @ApiPropertyOptional({ description: 'Only events of this room.', pattern: ID_PATTERN.source, maxLength: ID_MAX_LENGTH })
  @IsOptional()
  @IsString()
  @MaxLength(ID_MAX_LENGTH)
  @Matches(ID_PATTERN, { message: 'roomId may contain only letters, digits and _ . @ -' })
  roomId?: string;
}

export class DeadLetterQuery extends PageQuery {
  @ApiPropertyOptional({ type: 'integer', description: 'Only dead letters given up at or before this time (epoch ms).' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_EPOCH_MS)
  until?: number;

  @ApiPropertyOptional({
    description: "Only this destination's: `tencent-im`, `webhook-<8 hex>` (see GET /v1/admin/deliveries), `log`.",
    example: 'tencent-im',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  lane?: string;
}

export class EventsQuery extends PageQuery {}

export class LiveEventDto {
  @ApiProperty({ example: 'live-42:3' }) id: string;
  @ApiProperty({ enum: EVENT_TYPES }) type: string;
  @ApiProperty({ type: 'integer', example: 3 }) seq: number;
  @ApiProperty({ example: 'room-1' }) roomId: string;
  @ApiProperty({ example: 'live-42' }) liveId: string;
  @ApiProperty({ example: 'anchor-7' }) anchorId: string;
  @ApiProperty({ example: 'room-1' }) groupId: string;
  @ApiPropertyOptional({ enum: ['normal', 'timeout', 'disconnect', 'admin', 'superseded'] }) reason?: string;
  @ApiProperty({ type: 'integer', description: 'Transition time, epoch ms.' }) at: number;
  @ApiPropertyOptional({ type: 'integer', description: 'Timeout endings: when the live was due, epoch ms.' }) deadline?: number;
}

export class OutboxEventDto extends LiveEventDto {
  @ApiProperty({
    description: 'Where this event stands in the listing: pass it as `cursor` to continue after it.',
    example: '1764275335123-0/7',
  })
  cursor: string;
}

export class EventsPage {
  @ApiProperty({ type: [OutboxEventDto], description: 'Events kept in the outbox (OUTBOX_RETENTION_MS), oldest first.' })
  items: OutboxEventDto[];

  @ApiProperty({ type: 'string', nullable: true, description: 'Cursor of the next page; null when there is nothing more (yet).' })
  next: string | null;
}

export class DeadLetterDto {
  @ApiProperty({ description: '`<shard>:<stream id>`', example: '7:1764275335123-0' }) id: string;
  @ApiProperty({ description: 'The destination that gave it up.', example: 'webhook-1a2b3c4d' }) lane: string;
  @ApiProperty({ type: 'integer', description: 'When it was given up, epoch ms.' }) at: number;
  @ApiProperty({ description: 'Why: the last answer, or how long it was retried.', example: 'webhook-1a2b3c4d: HTTP 422' }) reason: string;
  @ApiPropertyOptional({
    description: 'What the destination answered last: HTTP status, IM ErrorCode or a transport code.',
    oneOf: [{ type: 'integer' }, { type: 'string' }],
  })
  code?: string | number;
  @ApiProperty({ type: 'integer', description: 'Attempts made.' }) attempts: number;
  @ApiProperty({ type: LiveEventDto }) event: LiveEventDto;
}

export class DeadLettersPage {
  @ApiProperty({ type: [DeadLetterDto] }) items: DeadLetterDto[];
  @ApiProperty({ type: 'string', nullable: true, description: 'Cursor of the next page; null when there is nothing more.' })
  next: string | null;
}

export class RedeliverRequest {
  @ApiProperty({
    type: [String],
    description: `Dead letters to redeliver (ids from the listing), at most ${REDELIVER_MAX}.`,
    example: ['7:1764275335123-0'],
  })
  @IsArray()
  @ArrayMaxSize(REDELIVER_MAX)
  @IsString({ each: true })
  @Matches(LETTER_ID, { each: true, message: 'each id must be `<shard>:<stream id>`' })
  ids: string[];
}

export class RedeliveryResult {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ['delivered', 'failed', 'not-found', 'lane-gone'] }) outcome: string;
  @ApiPropertyOptional({ description: 'Why it failed (the letter is kept).' }) reason?: string;
}

export class RedeliveryResponse {
  @ApiProperty({ type: [RedeliveryResult] }) results: RedeliveryResult[];
}

export class LaneStandingDto {
  @ApiProperty({ example: 'tencent-im' }) lane: string;
  @ApiProperty({ description: 'The destination, without secrets.', example: 'webhook https://backend.example.com' }) destination: string;
  @ApiProperty({ type: 'integer', description: 'Events read and not finished.' }) pending: number;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Events not read yet (null: Redis cannot say).' }) unread: number | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'When the oldest unfinished event was written, epoch ms.' }) oldestAt:
    number | null;
  @ApiProperty({ nullable: true, description: 'Set while the destination fails: since (epoch ms), last error, when seen.' })
  failing: { since: number; error: string; at: number } | null;
}

/**
 * Dead letters and missed events, for operators and for backends that were down: list, inspect, redeliver, and
 * page through the events kept in the outbox. All behind ADMIN_TOKEN.
 */
@ApiTags('admin')
@ApiBearerAuth(ADMIN_SECURITY)
@ApiAdminAuth()
@ApiStorageUnavailable()
@Controller('v1/admin')
@UseGuards(AdminTokenGuard)
export class DeliveriesController {
  constructor(
    private readonly outbox: OutboxStore,
    private readonly consumer: OutboxConsumer,
  ) {}

  @Get('deliveries')
  @ApiOperation({
    summary: 'Where each destination (lane) stands',
    description: 'Backlog, lag and failure of the IM channel and each webhook URL.',
  })
  @ApiOkResponse({ type: [LaneStandingDto] })
  async lanes(): Promise<LaneStandingDto[]> {
    const standings: LaneStanding[] = await this.outbox.standings();
    return standings.map((s) => ({ ...s, destination: this.consumer.lane(s.lane)?.describe ?? s.lane }));
  }

  @Get('events')
  @ApiOperation({
    summary: 'Page through the events kept in the outbox',
    description:
      'For a backend that was down: every event of the last OUTBOX_RETENTION_MS (24 h by default), oldest first, ' +
      'from `since` or after `cursor`. Delivery is separate: this listing does not change what is sent.',
  })
  @ApiOkResponse({ type: EventsPage })
  @ApiValidationError()
  events(@Query() query: EventsQuery): Promise<EventsPage> {
    return this.outbox.events(query);
  }

  @Get('dead-letters')
  @ApiOperation({
    summary: 'List dead letters',
    description: 'Events a destination gave up, oldest first, filtered by lane, type, room and time.',
  })
  @ApiOkResponse({ type: DeadLettersPage })
  @ApiValidationError()
  deadLetters(@Query() query: DeadLetterQuery): Promise<DeadLettersPage> {
    return this.outbox.deadLetters(query) as Promise<DeadLettersPage>;
  }

  @Get('dead-letters/:id')
  @ApiOperation({ summary: 'Inspect one dead letter' })
  @ApiOkResponse({ type: DeadLetterDto })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'No such dead letter.' })
  @ApiValidationError()
  async deadLetter(@Param('id') id: string): Promise<DeadLetterDto> {
    if (!LETTER_ID.test(id))
      throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: ['id must be `<shard>:<stream id>`, as listed'] });
    const letter = await this.outbox.deadLetter(id);
    if (!letter) throw new NotFoundException(`no dead letter ${id}`);
    return letter as DeadLetterDto;
  }

  @Post('dead-letters/redeliver')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Redeliver dead letters',
    description:
      'Tries each named dead letter once more to its own destination, now. A delivered letter is removed; a failed ' +
      'one is kept as it was, and the answer says why it failed. The event keeps its id, so the receiver recognises a repeat.',
  })
  @ApiOkResponse({ type: RedeliveryResponse })
  @ApiValidationError()
  async redeliver(@Body() { ids }: RedeliverRequest): Promise<RedeliveryResponse> {
    const results: RedeliveryResult[] = new Array(ids.length);
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        const at = next++;
        results[at] = await this.redeliverOne(ids[at]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(REDELIVER_CONCURRENCY, ids.length) }, worker));
    return { results };
  }

  private async redeliverOne(id: string): Promise<RedeliveryResult> {
    const letter: DeadLetter | null = await this.outbox.deadLetter(id);
    if (!letter) return { id, outcome: 'not-found' };
    const lane = this.consumer.lane(letter.lane);
    if (!lane) return { id, outcome: 'lane-gone', reason: `no destination ${letter.lane} is configured now` };
    try {
      await lane.deliverOnce(letter.event as LiveEvent);
    } catch (err) {
      const error = err instanceof DeliveryError ? err : new DeliveryError(String(err), true);
      return { id, outcome: 'failed', reason: error.message };
    }
    await this.outbox.removeDeadLetter(id);
    return { id, outcome: 'delivered' };
  }
}
