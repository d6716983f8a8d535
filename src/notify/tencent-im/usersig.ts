import { createHmac } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';

/** The fields of a TLSSigAPIv2 UserSig, in the order the official library writes them. */
export interface UserSigDocument {
  'TLS.ver': '2.0';
  'TLS.identifier': string;
  'TLS.sdkappid': number;
  'TLS.time': number;
  'TLS.expire': number;
  'TLS.sig': string;
}

/** Base64 of HMAC-SHA256 (keyed with the console key as UTF-8 text) over the four `TLS.x:value\n` lines. */
export function userSigHmac(key: string, identifier: string, sdkAppId: number, time: number, expire: number): string {
  const content = `TLS.identifier:${identifier}\n` + `TLS.sdkappid:${sdkAppId}\n` + `TLS.time:${time}\n` + `TLS.expire:${expire}\n`;
  return createHmac('sha256', key).update(content).digest('base64');
}

/**
 * A UserSig as tencentyun/tls-sig-api-v2-node `genUserSig` makes it: the JSON document, zlib-deflated,
 * base64 with `+/=` replaced by `*-_`. `expireSeconds` is a validity relative to `timeSeconds`.
 */
export function generateUserSig(
  sdkAppId: number,
  key: string,
  identifier: string,
  expireSeconds: number,
  timeSeconds = Math.floor(Date.now() / 1000),
): string {
  const doc: UserSigDocument = {
    'TLS.ver': '2.0',
    'TLS.identifier': identifier,
    'TLS.sdkappid': sdkAppId,
    'TLS.time': timeSeconds,
    'TLS.expire': expireSeconds,
    'TLS.sig': userSigHmac(key, identifier, sdkAppId, timeSeconds, expireSeconds),
  };
  const packed = deflateSync(Buffer.from(JSON.stringify(doc))).toString('base64');
  return packed.replace(/\+/g, '*').replace(/\//g, '-').replace(/=/g, '_');
}

/** Reverses the escaping and the compression; throws on anything that is not a UserSig. */
export function decodeUserSig(userSig: string): UserSigDocument {
  const base64 = userSig.replace(/_/g, '=').replace(/-/g, '/').replace(/\*/g, '+');
  return JSON.parse(inflateSync(Buffer.from(base64, 'base64')).toString('utf8')) as UserSigDocument;
}

/**
 * Keeps one admin UserSig and makes a new one at half its validity, long before the IM service
 * would answer 70001; `renew()` forces a new one when it does anyway (e.g. a clock jump).
 */
export class UserSigCache {
  private current: { sig: string; renewAt: number } | null = null;

  constructor(
    private readonly sdkAppId: number,
    private readonly key: string,
    private readonly identifier: string,
    private readonly ttlSeconds: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  get(): string {
    if (!this.current || this.now() >= this.current.renewAt) this.renew();
    return this.current!.sig;
  }

  renew(): void {
    const issuedAt = Math.floor(this.now() / 1000);
    this.current = {
      sig: generateUserSig(this.sdkAppId, this.key, this.identifier, this.ttlSeconds, issuedAt),
      renewAt: (issuedAt + this.ttlSeconds / 2) * 1000,
    };
  }

  /** Never print the signature itself (it is a credential). */
  toJSON(): string {
    return '[UserSigCache]';
  }
}
