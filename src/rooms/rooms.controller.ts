import { Body, Controller, Get, HttpCode, Param, Post, UseFilters, UseGuards } from '@nestjs/common';
import { AnchorTokenGuard } from '../auth/anchor-token.guard';
import { HeartbeatRateLimitedFilter } from './rate-limited';
import { EndBody, EndResponse, HeartbeatBody, HeartbeatResponse, RoomParams, RoomStatus } from './rooms.dto';
import { RoomsService } from './rooms.service';

@Controller('v1/rooms/:roomId')
export class RoomsController {
  constructor(private readonly rooms: RoomsService) {}

  @Post('heartbeat')
  @HttpCode(200)
  @UseGuards(AnchorTokenGuard)
  @UseFilters(HeartbeatRateLimitedFilter)
  heartbeat(@Param() { roomId }: RoomParams, @Body() body: HeartbeatBody): Promise<HeartbeatResponse> {
    return this.rooms.heartbeat(roomId, body);
  }

  @Post('end')
  @HttpCode(200)
  @UseGuards(AnchorTokenGuard)
  end(@Param() { roomId }: RoomParams, @Body() body: EndBody): Promise<EndResponse> {
    return this.rooms.end(roomId, body.liveId, body.anchorId);
  }

  /** Public: late joiners read whether the live is still on. */
  @Get()
  status(@Param() { roomId }: RoomParams): Promise<RoomStatus> {
    return this.rooms.status(roomId);
  }
}
