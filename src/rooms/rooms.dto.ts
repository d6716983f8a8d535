import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';

/** Ids become part of Redis keys and event ids, so they are kept short and free of separators. */
export const ID_PATTERN = /^[A-Za-z0-9_.@-]+$/;
/** What ID_PATTERN allows, in words, for 400 messages. */
export const ID_CHARACTERS = 'may contain only letters, digits and _ . @ -';
const ID_MESSAGE = `$property ${ID_CHARACTERS}`;
/** Tencent IM group ids may carry '#' (e.g. @TGS#...); they never become part of a key. */
export const GROUP_ID_PATTERN = /^[A-Za-z0-9_.@#-]+$/;
export const GROUP_ID_CHARACTERS = 'may contain only letters, digits and _ . @ # -';
export const ID_MAX_LENGTH = 128;
export const ROOM_ID_DESCRIPTION = 'The room; shards its keys. 1–128 letters, digits and _ . @ -';

/** The OpenAPI description of an id, from the same constants the validators use. */
const idProperty = (description: string, example: string) =>
  ApiProperty({ description, example, pattern: ID_PATTERN.source, minLength: 1, maxLength: ID_MAX_LENGTH });

const END_REASONS = ['normal', 'timeout', 'disconnect', 'admin', 'superseded'];

export class RoomParams {
  @idProperty(ROOM_ID_DESCRIPTION, 'room-1')
  @IsString()
  @MaxLength(ID_MAX_LENGTH)
  @Matches(ID_PATTERN, { message: ID_MESSAGE })
  roomId: string;
}

export class EndBody {
  @idProperty('The live to end.', 'live-42')
  @IsString()
  @MaxLength(ID_MAX_LENGTH)
  @Matches(ID_PATTERN, { message: ID_MESSAGE })
  liveId: string;

  @idProperty('Must match the anchor that started the live.', 'anchor-7')
  @IsString()
  @MaxLength(ID_MAX_LENGTH)
  @Matches(ID_PATTERN, { message: ID_MESSAGE })
  anchorId: string;
}

export class EndResponse {
  @ApiProperty({ enum: ['ended'] })
  state: 'ended';

  @ApiProperty({ example: 'live-42' })
  liveId: string;

  @ApiProperty({ enum: END_REASONS, example: 'normal', description: 'Why the live ended (the first end wins).' })
  reason: string;

  /** True when this call changed nothing because the live had already ended. */
  @ApiProperty({ example: false, description: 'True when this call changed nothing because the live had already ended.' })
  alreadyEnded: boolean;
}

export class RoomStatus {
  @ApiProperty({ example: 'room-1' })
  roomId: string;

  @ApiProperty({
    enum: ['live', 'interrupted', 'ended', 'idle'],
    example: 'live',
    description: '`idle`: no live known (never, or expired after ENDED_RETENTION_MS).',
  })
  state: 'live' | 'interrupted' | 'ended' | 'idle';

  @ApiProperty({ type: String, nullable: true, example: 'live-42' })
  liveId: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'anchor-7' })
  anchorId: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'room-1' })
  groupId: string | null;

  @ApiProperty({ type: 'integer', nullable: true, example: 1764275300000, description: 'Epoch ms.' })
  startedAt: number | null;

  @ApiProperty({ type: 'integer', nullable: true, example: 1764275315123, description: 'Epoch ms.' })
  lastHeartbeatAt: number | null;

  @ApiProperty({ type: 'integer', nullable: true, example: null, description: 'Epoch ms; null while running.' })
  endedAt: number | null;

  @ApiProperty({ type: String, enum: END_REASONS, nullable: true, example: null, description: 'End reason; null while running.' })
  reason: string | null;
}
