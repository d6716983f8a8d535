import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AnchorTokenGuard } from '../auth/anchor-token.guard';
import { ApiAnchorAuth, ApiAnchorConflict, ApiJsonBody, ApiStorageUnavailable, ApiValidationError } from '../openapi/api-responses';
import { EndBody, EndResponse, RoomParams, RoomStatus } from './rooms.dto';
import { RoomsService } from './rooms.service';

@ApiTags('rooms')
@ApiValidationError()
@ApiStorageUnavailable()
@Controller('v1/rooms/:roomId')
export class RoomsController {
  constructor(private readonly rooms: RoomsService) {}

  @Post('end')
  @HttpCode(200)
  @UseGuards(AnchorTokenGuard)
  @ApiAnchorAuth()
  @ApiOperation({
    summary: 'End a live normally',
    description:
      'Reason `normal`. Idempotent: a repeat changes and sends nothing (`alreadyEnded: true`). An end of a liveId the service ' +
      'has not seen yet (it overtook the first heartbeat) is remembered: that liveId never starts, its beats get 410, and nobody is told.',
  })
  @ApiOkResponse({ type: EndResponse, description: 'The live is ended (now, before, or before it started).' })
  @ApiAnchorConflict()
  @ApiJsonBody()
  end(@Param() { roomId }: RoomParams, @Body() body: EndBody): Promise<EndResponse> {
    return this.rooms.end(roomId, body.liveId, body.anchorId);
  }

  /** Public: late joiners read whether the live is still on. */
  @Get()
  @ApiOperation({
    summary: "The room's latest live",
    description:
      'For late joiners, who never see a group message sent before they joined. Ended lives stay readable for ENDED_RETENTION_MS.',
  })
  @ApiOkResponse({ type: RoomStatus, description: 'The room; `state: idle` with null fields when no live is known.' })
  status(@Param() { roomId }: RoomParams): Promise<RoomStatus> {
    return this.rooms.status(roomId);
  }
}
