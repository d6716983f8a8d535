import { Injectable } from '@nestjs/common';
import { jwtVerify } from 'jose';
import { ConfigSection, InjectConfig } from '../config/sections';
import type { AuthRefusal } from './anchor-authenticator';
import { bearerToken, tokenRefusalReason } from './bearer-token';
import { GATEWAY_TOKEN_TYPE, GatewayScope } from './gateway-scope';
import { JwtVerification, jwtVerification } from './jwt-verification';
import { VerifiedTokenCache } from './verified-token-cache';

const REALM = 'live-end-detector';

/** A gateway admitted: its name (the token's `sub`) and the rooms it may beat for. */
export interface GatewayIdentity {
  name: string;
  scope: GatewayScope;
}

interface CachedGateway extends GatewayIdentity {
  acceptUntil: number;
}

const MAX_CACHED = 1000;

/**
 * With AUTH_MODE=jwt, admits a gateway (a business's access service that holds many anchors' connections)
 * only with `Authorization: Bearer <JWT>` whose protected header has `typ: gateway+jwt` and whose claims
 * name the gateway (`sub`), its scope (`rooms`, see GatewayScope) and `exp`. Verified with the anchor
 * tokens' key (AUTH_JWT_SECRET or AUTH_JWT_PUBLIC_KEY): the business backend mints both. With
 * AUTH_MODE=none every caller is admitted for every room, as anchors are. The token is never logged.
 */
@Injectable()
export class GatewayAuthenticator {
  private readonly verification: JwtVerification | null;
  private readonly clockTolerance: number;
  /** A gateway sends the same token with every batch; verified ones are kept until they expire. */
  private readonly verified = new VerifiedTokenCache<CachedGateway>(MAX_CACHED);

  constructor(@InjectConfig('auth') env: ConfigSection<'auth'>) {
    this.verification = env.AUTH_MODE === 'jwt' ? jwtVerification(env) : null;
    this.clockTolerance = env.AUTH_CLOCK_TOLERANCE_S;
  }

  /** The gateway, or why it is refused (always 401: a gateway token's scope is checked per beat). */
  async admit(authorization: unknown): Promise<GatewayIdentity | AuthRefusal> {
    if (!this.verification) return { name: 'anonymous', scope: GatewayScope.ALL };
    const token = bearerToken(authorization);
    if (!token) return { status: 401, message: 'Authorization: Bearer <gateway token> required', challenge: `Bearer realm="${REALM}"` };
    const cached = this.verified.get(token);
    if (cached) return cached;
    try {
      const { key, algorithms } = this.verification;
      const { payload } = await jwtVerify(token, key, {
        algorithms,
        typ: GATEWAY_TOKEN_TYPE,
        clockTolerance: this.clockTolerance,
        requiredClaims: ['exp', 'sub', 'rooms'],
      });
      const gateway = {
        name: String(payload.sub),
        scope: GatewayScope.fromClaim(payload.rooms),
        acceptUntil: (payload.exp! + this.clockTolerance) * 1000,
      };
      this.verified.set(token, gateway);
      return gateway;
    } catch (err) {
      const message = tokenRefusalReason(err);
      return { status: 401, message, challenge: `Bearer realm="${REALM}", error="invalid_token", error_description="${message}"` };
    }
  }
}

export function isRefusal(result: GatewayIdentity | AuthRefusal): result is AuthRefusal {
  return 'status' in result;
}
