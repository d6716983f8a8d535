import { BadRequestException, ConflictException, GoneException, Injectable, NotFoundException } from '@nestjs/common';
import { ConfigSection, InjectConfig } from '../config/sections';
import { EndReason, HeartbeatOutcome } from '../store/live-record';
import { HeartbeatInput, LiveStore } from '../store/live-store';
import { DueSoonSignal } from '../sweeper/due-soon';
import { HeartbeatRateLimitedException } from './rate-limited';
import { HeartbeatBody, HeartbeatResponse } from './heartbeat.schema';
import { EndResponse, RoomStatus } from './rooms.dto';

@Injectable()
export class RoomsService {
  constructor(
    @InjectConfig('rooms') private readonly env: ConfigSection<'rooms'>,
    private readonly store: LiveStore,
    private readonly dueSoon: DueSoonSignal,
  ) {}

  async heartbeat(roomId: string, body: HeartbeatBody): Promise<HeartbeatResponse> {
    const input = this.beatInput(roomId, body);
    return this.answer(input, await this.store.heartbeat(input));
  }

  /**
   * Many beats at once (the gateway route): one store round trip per shard touched. Each beat gets what
   * the single route would give it, in input order: the response, or the exception heartbeat() would
   * throw (HttpException: 400, 409, 410, 429; else a storage error).
   */
  async heartbeats(beats: Array<HeartbeatBody & { roomId: string }>): Promise<Array<HeartbeatResponse | Error>> {
    const results = new Array<HeartbeatResponse | Error>(beats.length);
    const inputs: HeartbeatInput[] = [];
    const positions: number[] = [];
    beats.forEach((beat, i) => {
      try {
        inputs.push(this.beatInput(beat.roomId, beat));
        positions.push(i);
      } catch (err) {
        results[i] = err as Error;
      }
    });
    const outcomes = await this.store.heartbeats(inputs);
    outcomes.forEach((outcome, k) => {
      const i = positions[k];
      try {
        results[i] = outcome instanceof Error ? outcome : this.answer(inputs[k], outcome);
      } catch (err) {
        results[i] = err as Error;
      }
    });
    return results;
  }

  /** What the store needs for one beat; throws 400 when timeoutMs is outside the configured bounds. */
  private beatInput(roomId: string, body: HeartbeatBody): HeartbeatInput {
    const timeoutMs = this.timeoutFor(body.timeoutMs);
    return {
      roomId,
      liveId: body.liveId,
      anchorId: body.anchorId,
      groupId: body.groupId ?? roomId,
      timeoutMs,
      // A room's own timeout scales the suspect point and the beat interval with it.
      suspectMs: Math.round(this.env.SUSPECT_AFTER_MS * (timeoutMs / this.env.HEARTBEAT_TIMEOUT_MS)),
    };
  }

  /** The beat's response; throws the HTTP exception for a refused one (410, 409, 429). */
  private answer(input: HeartbeatInput, outcome: HeartbeatOutcome): HeartbeatResponse {
    switch (outcome.kind) {
      case 'gone':
        throw new GoneException({
          statusCode: 410,
          error: 'Gone',
          message: `live ${input.liveId} already ended (${outcome.reason}); start a new live with a new liveId`,
          reason: outcome.reason,
        });
      case 'conflict':
        throw new ConflictException(`anchorId does not match the anchor of live ${input.liveId}`);
      case 'limited':
        throw new HeartbeatRateLimitedException(outcome.retryAfterMs);
    }
    // Started or resumed: judged at its suspect point, maybe before anything else in its shard.
    if (outcome.transitions.some((t) => t.type === 'started' || t.type === 'resumed')) this.dueSoon.notify(input.roomId, input.suspectMs);
    return {
      state: 'live',
      liveId: input.liveId,
      nextHeartbeatInMs: Math.round(this.env.HEARTBEAT_INTERVAL_MS * (input.timeoutMs / this.env.HEARTBEAT_TIMEOUT_MS)),
      deadline: outcome.deadline,
    };
  }

  async end(roomId: string, liveId: string, anchorId: string, reason: EndReason = 'normal'): Promise<EndResponse> {
    const outcome = await this.store.end(roomId, liveId, anchorId, reason);
    switch (outcome.kind) {
      case 'unknown':
        throw new NotFoundException(liveId ? `no live ${liveId} in room ${roomId}` : `no live in room ${roomId}`);
      case 'conflict':
        throw new ConflictException(`anchorId does not match the anchor of live ${liveId}`);
    }
    return { state: 'ended', liveId: outcome.liveId, reason: outcome.reason, alreadyEnded: outcome.kind === 'already' };
  }

  async status(roomId: string): Promise<RoomStatus> {
    const live = await this.store.get(roomId);
    if (!live) {
      return {
        roomId,
        state: 'idle',
        liveId: null,
        anchorId: null,
        groupId: null,
        startedAt: null,
        lastHeartbeatAt: null,
        endedAt: null,
        reason: null,
      };
    }
    const { timeoutMs: _timeout, ...shown } = live;
    return shown;
  }

  private timeoutFor(requested: number | undefined): number {
    if (requested === undefined) return this.env.HEARTBEAT_TIMEOUT_MS;
    const { TIMEOUT_MIN_MS: min, TIMEOUT_MAX_MS: max } = this.env;
    if (requested < min || requested > max) {
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: [`timeoutMs must be between ${min} and ${max}`],
      });
    }
    return requested;
  }
}
