import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AnchorAuthenticator } from './anchor-authenticator';

/** AnchorAuthenticator as a Nest guard, for the anchor routes Nest serves (end). */
@Injectable()
export class AnchorTokenGuard implements CanActivate {
  constructor(private readonly authenticator: AnchorAuthenticator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest<{ Params: { roomId?: string }; Body: { anchorId?: unknown } | null }>>();
    const refusal = await this.authenticator.refusal(request.headers.authorization, request.params.roomId, request.body?.anchorId);
    if (!refusal) return true;
    http.getResponse<FastifyReply>().header('www-authenticate', refusal.challenge);
    throw refusal.status === 401 ? new UnauthorizedException(refusal.message) : new ForbiddenException(refusal.message);
  }
}
