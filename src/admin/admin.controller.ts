import { Controller, DefaultValuePipe, Get, HttpCode, Param, ParseIntPipe, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiAdminAuth, ApiStorageUnavailable, ApiValidationError, ErrorResponse } from '../openapi/api-responses';
import { ADMIN_SECURITY } from '../openapi/openapi';
import { KeyLayout } from '../store/key-layout';
import { LiveStore } from '../store/live-store';
import { EndResponse, RoomParams, RoomStatus } from '../rooms/rooms.dto';
import { RoomsService } from '../rooms/rooms.service';
import { MassTimeoutGuard } from '../sweeper/mass-timeout-guard';
import { AdminTokenGuard } from './admin-token.guard';

export class AdminLivesResponse {
  @ApiProperty({ type: 'integer', example: 0, description: 'The shard listed (clamped to 0..shards-1).' })
  shard: number;

  @ApiProperty({ type: 'integer', example: 16, description: 'Number of shards (SHARDS).' })
  shards: number;

  @ApiProperty({ type: 'integer', example: 0 })
  offset: number;

  @ApiProperty({ type: [RoomStatus], description: 'Running lives of the shard, earliest deadline first.' })
  lives: RoomStatus[];
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
  @ApiQuery({ name: 'shard', required: false, schema: { type: 'integer', default: 0, minimum: 0 }, description: 'Shard to list, 0..SHARDS-1.' })
  @ApiQuery({ name: 'offset', required: false, schema: { type: 'integer', default: 0, minimum: 0 } })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', default: 100, minimum: 1, maximum: 1000 } })
  @ApiOkResponse({ type: AdminLivesResponse })
  @ApiValidationError()
  async lives(
    @Query('shard', new DefaultValuePipe(0), ParseIntPipe) shard: number,
    @Query('offset', new DefaultValuePipe(0), ParseIntPipe) offset: number,
    @Query('limit', new DefaultValuePipe(100), ParseIntPipe) limit: number,
  ): Promise<AdminLivesResponse> {
    shard = Math.min(Math.max(shard, 0), this.keys.shards - 1);
    limit = Math.min(Math.max(limit, 1), 1000);
    const roomIds = await this.store.runningRooms(shard, Math.max(offset, 0), limit);
    const lives = await Promise.all(roomIds.map((roomId) => this.rooms.status(roomId)));
    return { shard, shards: this.keys.shards, offset, lives };
  }

  /** The mass-timeout guard: whether it holds endings, and the figures it judges by. */
  @Get('guard')
  guardStatus() {
    return this.guard.status();
  }

  /** The operator confirms the held endings are real: they go through for one guard window. */
  @Post('guard/release')
  @HttpCode(200)
  releaseGuard() {
    return this.guard.release();
  }

  /** Ends whatever live runs in the room, with reason `admin`. */
  @Post('rooms/:roomId/end')
  @HttpCode(200)
  @ApiOperation({ summary: "Force-end the room's live", description: 'Reason `admin`; viewers and webhooks are told as for any end. Idempotent.' })
  @ApiOkResponse({ type: EndResponse })
  @ApiValidationError()
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'No live in this room.', example: { statusCode: 404, message: 'no live in room room-1', error: 'Not Found' } })
  forceEnd(@Param() { roomId }: RoomParams): Promise<EndResponse> {
    return this.rooms.end(roomId, '', '', 'admin');
  }
}
