import { IsInt, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** Ids become part of Redis keys and event ids, so they are kept short and free of separators. */
export const ID_PATTERN = /^[A-Za-z0-9_.@-]+$/;
const ID_MESSAGE = '$property may contain only letters, digits and _ . @ -';
/** Tencent IM group ids may carry '#' (e.g. @TGS#...); they never become part of a key. */
const GROUP_ID_PATTERN = /^[A-Za-z0-9_.@#-]+$/;
export const ID_MAX_LENGTH = 128;

export class RoomParams {
  @IsString() @MaxLength(ID_MAX_LENGTH) @Matches(ID_PATTERN, { message: ID_MESSAGE })
  roomId: string;
}

export class HeartbeatBody {
  @IsString() @MaxLength(ID_MAX_LENGTH) @Matches(ID_PATTERN, { message: ID_MESSAGE })
  liveId: string;

  @IsString() @MaxLength(ID_MAX_LENGTH) @Matches(ID_PATTERN, { message: ID_MESSAGE })
  anchorId: string;

  /** The room's IM group; defaults to the roomId. */
  @IsOptional() @IsString() @MaxLength(ID_MAX_LENGTH)
  @Matches(GROUP_ID_PATTERN, { message: '$property may contain only letters, digits and _ . @ # -' })
  groupId?: string;

  /** The room's own timeout, within the configured bounds. */
  @IsOptional() @IsInt()
  timeoutMs?: number;
}

export class EndBody {
  @IsString() @MaxLength(ID_MAX_LENGTH) @Matches(ID_PATTERN, { message: ID_MESSAGE })
  liveId: string;

  @IsString() @MaxLength(ID_MAX_LENGTH) @Matches(ID_PATTERN, { message: ID_MESSAGE })
  anchorId: string;
}

export interface HeartbeatResponse {
  state: 'live';
  liveId: string;
  /** When the app should send its next beat. */
  nextHeartbeatInMs: number;
  /** Epoch ms after which, without another beat, the live ends. */
  deadline: number;
}

export interface EndResponse {
  state: 'ended';
  liveId: string;
  reason: string;
  /** True when this call changed nothing because the live had already ended. */
  alreadyEnded: boolean;
}

export interface RoomStatus {
  roomId: string;
  state: 'live' | 'interrupted' | 'ended' | 'idle';
  liveId: string | null;
  anchorId: string | null;
  groupId: string | null;
  startedAt: number | null;
  lastHeartbeatAt: number | null;
  endedAt: number | null;
  reason: string | null;
}
