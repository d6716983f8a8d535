import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors, jwtVerify } from 'jose';
import { Environment } from '../config/environment';
import { JwtVerification, jwtVerification } from './jwt-verification';
import { VerifiedTokenCache } from './verified-token-cache';

const REALM = 'live-end-detector';

/**
 * With AUTH_MODE=jwt, admits an anchor request only with `Authorization: Bearer <JWT>` whose `sub` is the
 * body's anchorId and whose `room` is the path's roomId. A bad or missing token is 401, a good token for
 * another room or anchor 403. The token is never logged.
 */
@Injectable()
export class AnchorTokenGuard implements CanActivate {
  private readonly verification: JwtVerification | null;
  private readonly clockTolerance: number;
  private readonly verified = new VerifiedTokenCache();

  constructor(env: Environment) {
    this.verification = env.AUTH_MODE === 'jwt' ? jwtVerification(env) : null;
    this.clockTolerance = env.AUTH_CLOCK_TOLERANCE_S;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.verification) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest<{ Params: { roomId?: string }; Body: unknown }>>();
    const reply = http.getResponse<FastifyReply>();

    const token = bearerToken(request.headers.authorization);
    if (!token) {
      reply.header('www-authenticate', `Bearer realm="${REALM}"`);
      throw new UnauthorizedException('Authorization: Bearer <token> required');
    }
    const claims = await this.verify(token).catch((err: Error) => {
      reply.header('www-authenticate', `Bearer realm="${REALM}", error="invalid_token", error_description="${err.message}"`);
      throw new UnauthorizedException(err.message);
    });

    if (claims.room !== request.params.roomId) {
      reply.header('www-authenticate', `Bearer realm="${REALM}", error="insufficient_scope"`);
      throw new ForbiddenException('token was issued for another room');
    }
    // A missing or malformed anchorId is left to validation, which names the field (400).
    const anchorId = (request.body as { anchorId?: unknown } | null)?.anchorId;
    if (typeof anchorId === 'string' && anchorId !== claims.sub) {
      reply.header('www-authenticate', `Bearer realm="${REALM}", error="insufficient_scope"`);
      throw new ForbiddenException('token was issued for another anchor');
    }
    return true;
  }

  /** Resolves the token's claims, or rejects with a short reason fit to show the caller. */
  private async verify(token: string): Promise<{ sub: string; room: string }> {
    const cached = this.verified.get(token);
    if (cached) return cached;
    const { key, algorithms } = this.verification!;
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms,
        clockTolerance: this.clockTolerance,
        requiredClaims: ['exp', 'sub', 'room'],
      });
      if (typeof payload.sub !== 'string' || typeof payload.room !== 'string') throw new Error('claims sub and room must be strings');
      const claims = { sub: payload.sub, room: payload.room, acceptUntil: (payload.exp! + this.clockTolerance) * 1000 };
      this.verified.set(token, claims);
      return claims;
    } catch (err) {
      throw new Error(reason(err));
    }
  }
}

function bearerToken(header: unknown): string | null {
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}

function reason(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'token expired';
  if (err instanceof errors.JWTClaimValidationFailed) return `token claim invalid: ${err.claim}`;
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'token signature invalid';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'token algorithm not accepted';
  if (err instanceof errors.JOSEError) return 'token malformed';
  return err instanceof Error ? err.message : 'token invalid';
}
