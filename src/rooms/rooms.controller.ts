import { Body, Controller, Get, HttpCode, Param, Post, UseFilters, UseGuards } from '@nestjs/common';
import { ApiConflictResponse, ApiGoneResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AnchorTokenGuard } from '../auth/anchor-token.guard';
import { ApiAnchorAuth, ApiHeartbeatRateLimited, ApiStorageUnavailable, ApiValidationError, ErrorResponse, GoneResponse } from '../openapi/api-responses';
import { HeartbeatRateLimitedFilter } from './rate-limited';
import { EndBody, EndResponse, HeartbeatBody, HeartbeatResponse, RoomParams, RoomStatus } from './rooms.dto';
import { RoomsService } from './rooms.service';

const conflict = () =>
  ApiConflictResponse({
    description: 'The live belongs to another anchorId.',
    type: ErrorResponse,
    example: { statusCode: 409, message: 'anchorId does not match the anchor of live live-42', error: 'Conflict' },
  });

@ApiTags('rooms')
@ApiValidationError()
@ApiStorageUnavailable()
@Controller('v1/rooms/:roomId')
export class RoomsController {
  constructor(private readonly rooms: RoomsService) {}

  @Post('heartbeat')
  @HttpCode(200)
  @UseGuards(AnchorTokenGuard)
  @UseFilters(HeartbeatRateLimitedFilter)
  @ApiAnchorAuth()
  @ApiHeartbeatRateLimited()
  @ApiOperation({
    summary: 'Start or keep a live',
    description:
      'The first beat of a liveId starts the live, later beats push its deadline out, a beat while `interrupted` ' +
      'resumes it. A new liveId in a room whose live is still on supersedes it (reason `superseded`, no viewer notice). ' +
      'Send the next beat after `nextHeartbeatInMs`.',
  })
  @ApiOkResponse({ type: HeartbeatResponse, description: 'The beat was taken.' })
  @ApiGoneResponse({
    type: GoneResponse,
    description: 'That liveId already ended; the app must start a new live with a new liveId.',
    example: { statusCode: 410, error: 'Gone', message: 'live live-42 already ended (timeout); start a new live with a new liveId', reason: 'timeout' },
  })
  @conflict()
  heartbeat(@Param() { roomId }: RoomParams, @Body() body: HeartbeatBody): Promise<HeartbeatResponse> {
    return this.rooms.heartbeat(roomId, body);
  }

  @Post('end')
  @HttpCode(200)
  @UseGuards(AnchorTokenGuard)
  @ApiAnchorAuth()
  @ApiOperation({ summary: 'End a live normally', description: 'Reason `normal`. Idempotent: a repeat changes and sends nothing (`alreadyEnded: true`).' })
  @ApiOkResponse({ type: EndResponse, description: 'The live is ended (now or before).' })
  @ApiNotFoundResponse({
    type: ErrorResponse,
    description: 'No such live in this room.',
    example: { statusCode: 404, message: 'no live live-42 in room room-1', error: 'Not Found' },
  })
  @conflict()
  end(@Param() { roomId }: RoomParams, @Body() body: EndBody): Promise<EndResponse> {
    return this.rooms.end(roomId, body.liveId, body.anchorId);
  }

  /** Public: late joiners read whether the live is still on. */
  @Get()
  @ApiOperation({
    summary: "The room's latest live",
    description: 'For late joiners, who never see a group message sent before they joined. Ended lives stay readable for ENDED_RETENTION_MS.',
  })
  @ApiOkResponse({ type: RoomStatus, description: 'The room; `state: idle` with null fields when no live is known.' })
  status(@Param() { roomId }: RoomParams): Promise<RoomStatus> {
    return this.rooms.status(roomId);
  }
}
