import { BadRequestException, ConflictException, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { ApiAdminAuth, ApiStorageUnavailable, ApiValidationError, ErrorResponse } from '../openapi/api-responses';
import { ADMIN_SECURITY } from '../openapi/security-schemes';
import { KeyLayout } from '../store/key-layout';
import { LiveStore } from '../store/live-store';
import { EndResponse, RoomParams, RoomStatus } from '../rooms/rooms.dto';
import { RoomsService } from '../rooms/rooms.service';
import { GuardStatus, MassTimeoutGuard } from '../sweeper/mass-timeout-guard';
import { AdminTokenGuard } from './admin-token.guard';

const MAX_SHARDS = 1024;

export class AdminLivesQuery {
  @ApiPropertyOptional({ type: 'integer', default: 0, minimum: 0, maximum: MAX_SHARDS - 1, description: 'Shard to list, 0..SHARDS-1.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_SHARDS - 1)
  shard = 0;

  @ApiPropertyOptional({ enum: ['live', 'interrupted'], default: 'live', description: 'Which running lives to list.' })
  @IsOptional()
  @IsIn(['live', 'interrupted'])
  state: 'live' | 'interrupted' = 'live';

  @ApiPropertyOptional({ type: 'integer', default: 0, minimum: 0, maximum: 10000000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(10000000)
  offset = 0;

  @ApiPropertyOptional({ type: 'integer', default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit = 100;
}

export class AdminLivesResponse {
  @ApiProperty({ type: 'integer', example: 0, description: 'The shard listed.' })
  shard: number;

  @ApiProperty({ type: 'integer', example: 16, description: 'Number of shards (SHARDS).' })
  shards: number;

  @ApiProperty({ type: 'integer', example: 0 })
  offset: number;

  @ApiProperty({ type: [RoomStatus], description: 'Running lives of the shard, earliest deadline first.' })
  lives: RoomStatus[];
}

/** GET /v1/admin/guard's answer (GuardStatus). */
export class GuardStatusResponse implements GuardStatus {
  @ApiProperty({ description: 'GUARD_ENABLED.' })
  enabled: boolean;

  @ApiProperty({ description: 'True while silence-endings are held back.' })
  engaged: boolean;

  @ApiProperty({
    type: 'integer',
    example: 3,
    description: 'Lives that ended for silence in the window plus interrupted ones that will end within it.',
  })
  wouldEnd: number;

  @ApiProperty({ type: 'integer', example: 1, description: 'Of wouldEnd: lives that already ended for silence within the last window.' })
  endedInWindow: number;

  @ApiProperty({
    type: 'integer',
    example: 2,
    description: 'Of wouldEnd: interrupted lives that end within the next window unless they beat again (still to come).',
  })
  dueToEnd: number;

  @ApiProperty({ type: 'integer', example: 120, description: 'Lives tracked (running, interrupted, and ended for silence in the window).' })
  tracked: number;

  @ApiProperty({ example: 0.3, description: 'GUARD_MAX_SHARE.' })
  maxShare: number;

  @ApiProperty({ type: 'integer', example: 50, description: 'GUARD_MIN_COUNT.' })
  minCount: number;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    example: null,
    description: 'Epoch ms until which an operator let held endings through, or null.',
  })
  releasedUntil: number | null;
}

@ApiTags('admin')
@ApiBearerAuth(ADMIN_SECURITY)
@ApiAdminAuth()
@ApiStorageUnavailable()
@Controller('v1/admin')
@UseGuards(AdminTokenGuard)
export class AdminController {
  constructor(
    private readonly rooms: RoomsService,
    private readonly store: LiveStore,
    private readonly keys: KeyLayout,
    private readonly guard: MassTimeoutGuard,
  ) {}

  /** Running lives of one shard, earliest deadline first; page through shards and offsets. */
  @Get('lives')
  @ApiOperation({ summary: 'List running lives, one shard at a time' })
  @ApiOkResponse({ type: AdminLivesResponse })
  @ApiValidationError()
  async lives(@Query() { shard, state, offset, limit }: AdminLivesQuery): Promise<AdminLivesResponse> {
    if (shard >= this.keys.shards) {
      throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: [`shard must be less than ${this.keys.shards}`] });
    }
    const roomIds = await this.store.runningRooms(shard, offset, limit, state === 'interrupted');
    const lives = await Promise.all(roomIds.map((roomId) => this.rooms.status(roomId)));
    return { shard, shards: this.keys.shards, offset, lives };
  }

  /** The mass-timeout guard: whether it holds endings, and the figures it judges by. */
  @Get('guard')
  @ApiOperation({
    summary: 'Mass-timeout guard status',
    description: 'Whether the guard holds silence-endings back, and the figures it judges by.',
  })
  @ApiOkResponse({ type: GuardStatusResponse })
  guardStatus(): Promise<GuardStatus> {
    return this.guard.status();
  }

  /**
   * The operator confirms the held endings are real: they go through for one guard window. Refused (409) while the
   * guard holds nothing (disabled, not engaged, or already released): a release then would pre-approve whatever
   * mass of endings the next window brings, which is not what the operator asked for.
   */
  @Post('guard/release')
  @HttpCode(200)
  @ApiOperation({ summary: 'Let the endings the mass-timeout guard holds go through for one GUARD_WINDOW_MS' })
  @ApiOkResponse({ type: GuardStatusResponse, description: 'The guard status after the release.' })
  @ApiConflictResponse({
    type: ErrorResponse,
    description: 'The guard holds nothing: it is disabled, not engaged, or already released.',
    example: {
      statusCode: 409,
      error: 'Conflict',
      message: 'the mass-timeout guard is not engaged (3 of 120 lives would end within the window): nothing to release',
    },
  })
  async releaseGuard(): Promise<GuardStatus> {
    const status = await this.guard.status();
    if (!status.engaged) throw new ConflictException({ statusCode: 409, error: 'Conflict', message: notEngaged(status) });
    return this.guard.release();
  }

  /** Ends whatever live runs in the room, with reason `admin`. */
  @Post('rooms/:roomId/end')
  @HttpCode(200)
  @ApiOperation({
    summary: "Force-end the room's live",
    description: 'Reason `admin`; viewers and webhooks are told as for any end. Idempotent.',
  })
  @ApiOkResponse({ type: EndResponse })
  @ApiValidationError()
  @ApiNotFoundResponse({
    type: ErrorResponse,
    description: 'No live in this room.',
    example: { statusCode: 404, message: 'no live in room room-1', error: 'Not Found' },
  })
  forceEnd(@Param() { roomId }: RoomParams): Promise<EndResponse> {
    return this.rooms.end(roomId, '', '', 'admin');
  }
}

/** Why there is nothing to release, in the operator's terms. */
function notEngaged(status: GuardStatus): string {
  if (!status.enabled) return 'the mass-timeout guard is disabled (GUARD_ENABLED=false): nothing to release';
  if (status.releasedUntil !== null)
    return `the mass-timeout guard is already released until ${new Date(status.releasedUntil).toISOString()}`;
  return `the mass-timeout guard is not engaged (${status.wouldEnd} of ${status.tracked} lives would end within the window): nothing to release`;
}
