import { createPublicKey, createSecretKey, KeyObject } from 'node:crypto';
import { ConfigSection } from '../config/sections';

/** The key and algorithms anchor tokens are verified with. */
export interface JwtVerification {
  key: KeyObject;
  algorithms: string[];
}

/** Algorithm families each kind of key can verify; pinning them stops algorithm-confusion tricks. */
const FAMILIES: Record<string, RegExp> = {
  secret: /^HS/,
  rsa: /^(RS|PS)/,
  'rsa-pss': /^PS/,
  ec: /^ES/,
  ed25519: /^EdDSA$/,
};

const DEFAULT_ALGORITHM: Record<string, string> = { secret: 'HS256', rsa: 'RS256', 'rsa-pss': 'PS256', ec: 'ES256', ed25519: 'EdDSA' };

/**
 * Builds the verification key from AUTH_JWT_SECRET or AUTH_JWT_PUBLIC_KEY (exactly one must be set in jwt mode).
 * Throws an Error whose message names the variable at fault and never shows its value.
 */
export function jwtVerification(env: ConfigSection<'auth'>): JwtVerification {
  const secret = env.AUTH_JWT_SECRET;
  const pem = env.AUTH_JWT_PUBLIC_KEY;
  if (secret && pem) throw new Error('set either AUTH_JWT_SECRET (HS256) or AUTH_JWT_PUBLIC_KEY (RS256/ES256) for AUTH_MODE=jwt, not both');
  if (!secret && !pem) throw new Error('AUTH_MODE=jwt needs AUTH_JWT_SECRET (HS256) or AUTH_JWT_PUBLIC_KEY (RS256/ES256)');

  let key: KeyObject;
  let kind: string;
  if (secret) {
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    kind = 'secret';
  } else {
    try {
      // Orchestrators often flatten a PEM into one line with literal "\n"s.
      key = createPublicKey(pem!.replace(/\\n/g, '\n'));
    } catch {
      throw new Error('AUTH_JWT_PUBLIC_KEY is not a PEM public key');
    }
    kind = key.asymmetricKeyType ?? 'unknown';
    if (!FAMILIES[kind]) throw new Error(`AUTH_JWT_PUBLIC_KEY is a ${kind} key; use an RSA, EC or Ed25519 public key`);
  }

  const algorithms = env.AUTH_JWT_ALGORITHMS ?? [DEFAULT_ALGORITHM[kind]];
  const unfit = algorithms.filter((alg) => !FAMILIES[kind].test(alg));
  if (unfit.length > 0) {
    const source = secret ? 'AUTH_JWT_SECRET' : `the ${kind} key in AUTH_JWT_PUBLIC_KEY`;
    throw new Error(`AUTH_JWT_ALGORITHMS lists ${unfit.join(', ')}, which ${source} cannot verify`);
  }
  return { key, algorithms };
}
