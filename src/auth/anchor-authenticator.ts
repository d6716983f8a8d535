import { Injectable } from '@nestjs/common';
import { jwtVerify } from 'jose';
import { ConfigSection, InjectConfig } from '../config/sections';
import { bearerToken, tokenRefusalReason } from './bearer-token';
import { GATEWAY_TOKEN_TYPE } from './gateway-scope';
import { JwtVerification, jwtVerification } from './jwt-verification';
import { VerifiedTokenCache } from './verified-token-cache';

const REALM = 'live-end-detector';

/** Why an anchor request is refused: 401 (no or bad token) or 403 (a good token for another room or anchor). */
export interface AuthRefusal {
  status: 401 | 403;
  message: string;
  /** The WWW-Authenticate challenge to send with it. */
  challenge: string;
}

/**
 * With AUTH_MODE=jwt, admits an anchor request only with `Authorization: Bearer <JWT>` whose `sub` is the
 * body's anchorId and whose `room` is the path's roomId. Used by the heartbeat route and AnchorTokenGuard.
 * The token is never logged.
 */
@Injectable()
export class AnchorAuthenticator {
  private readonly verification: JwtVerification | null;
  private readonly clockTolerance: number;
  private readonly verified = new VerifiedTokenCache();

  constructor(@InjectConfig('auth') env: ConfigSection<'auth'>) {
    this.verification = env.AUTH_MODE === 'jwt' ? jwtVerification(env) : null;
    this.clockTolerance = env.AUTH_CLOCK_TOLERANCE_S;
  }

  /** Null when the request is admitted. A missing or malformed anchorId is left to validation, which names the field (400). */
  async refusal(authorization: unknown, roomId: string | undefined, anchorId: unknown): Promise<AuthRefusal | null> {
    if (!this.verification) return null;
    const token = bearerToken(authorization);
    if (!token) return { status: 401, message: 'Authorization: Bearer <token> required', challenge: `Bearer realm="${REALM}"` };
    let claims: { sub: string; room: string };
    try {
      claims = await this.verify(token);
    } catch (err) {
      const message = (err as Error).message;
      return { status: 401, message, challenge: `Bearer realm="${REALM}", error="invalid_token", error_description="${message}"` };
    }
    if (claims.room !== roomId) return forbidden('token was issued for another room');
    if (typeof anchorId === 'string' && anchorId !== claims.sub) return forbidden('token was issued for another anchor');
    return null;
  }

  /** Resolves the token's claims, or rejects with a short reason fit to show the caller. */
  private async verify(token: string): Promise<{ sub: string; room: string }> {
    const cached = this.verified.get(token);
    if (cached) return cached;
    const { key, algorithms } = this.verification!;
    try {
      const { payload, protectedHeader } = await jwtVerify(token, key, {
        algorithms,
        clockTolerance: this.clockTolerance,
        requiredClaims: ['exp', 'sub', 'room'],
      });
      // A gateway token (explicitly typed, RFC 8725 §3.11) is refused here even if it carried a room claim.
      if (protectedHeader.typ === GATEWAY_TOKEN_TYPE) throw new Error('a gateway token is not an anchor token');
      if (typeof payload.sub !== 'string' || typeof payload.room !== 'string') throw new Error('claims sub and room must be strings');
      const claims = { sub: payload.sub, room: payload.room, acceptUntil: (payload.exp! + this.clockTolerance) * 1000 };
      this.verified.set(token, claims);
      return claims;
    } catch (err) {
      throw new Error(tokenRefusalReason(err));
    }
  }
}

function forbidden(message: string): AuthRefusal {
  return { status: 403, message, challenge: `Bearer realm="${REALM}", error="insufficient_scope"` };
}
