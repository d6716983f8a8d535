import { Controller, DefaultValuePipe, Get, HttpCode, Param, ParseIntPipe, Post, Query, UseGuards } from '@nestjs/common';
import { KeyLayout } from '../store/key-layout';
import { LiveStore } from '../store/live-store';
import { RoomParams } from '../rooms/rooms.dto';
import { RoomsService } from '../rooms/rooms.service';
import { MassTimeoutGuard } from '../sweeper/mass-timeout-guard';
import { AdminTokenGuard } from './admin-token.guard';

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
  async lives(
    @Query('shard', new DefaultValuePipe(0), ParseIntPipe) shard: number,
    @Query('offset', new DefaultValuePipe(0), ParseIntPipe) offset: number,
    @Query('limit', new DefaultValuePipe(100), ParseIntPipe) limit: number,
  ) {
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
  forceEnd(@Param() { roomId }: RoomParams) {
    return this.rooms.end(roomId, '', '', 'admin');
  }
}
