import { errors } from 'jose';

/** The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1), or null. */
export function bearerToken(header: unknown): string | null {
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}

/** Why jose refused a token, in a few words fit to show the caller (never the token itself). */
export function tokenRefusalReason(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'token expired';
  if (err instanceof errors.JWTClaimValidationFailed)
    return err.claim === 'typ' ? 'token type not accepted here' : `token claim invalid: ${err.claim}`;
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'token signature invalid';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'token algorithm not accepted';
  if (err instanceof errors.JOSEError) return 'token malformed';
  return err instanceof Error ? err.message : 'token invalid';
}
