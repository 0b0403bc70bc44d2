// RS256 JWT decoding and signature verification with node:crypto (no dependency), for the
// two ways a service account authenticates: the jwt-bearer grant at the token endpoint and
// a self-signed JWT sent directly as the bearer token.

import { type KeyObject, createSign, verify } from 'node:crypto';

export interface JwtHeader {
  alg?: string;
  typ?: string;
  kid?: string;
}

export interface JwtClaims {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  scope?: string;
  iat?: number;
  exp?: number;
  [claim: string]: unknown;
}

export interface DecodedJwt {
  header: JwtHeader;
  claims: JwtClaims;
  signingInput: string;
  signature: Buffer;
}

function decodeJson(part: string): unknown {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

/** Splits and parses a compact JWS; undefined when it is not one. Does not verify. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [h, p, s] = parts as [string, string, string];
  try {
    const header = decodeJson(h);
    const claims = decodeJson(p);
    if (!header || typeof header !== 'object' || !claims || typeof claims !== 'object') return undefined;
    return { header: header as JwtHeader, claims: claims as JwtClaims, signingInput: `${h}.${p}`, signature: Buffer.from(s, 'base64url') };
  } catch {
    return undefined;
  }
}

export function verifyRs256(jwt: DecodedJwt, publicKey: KeyObject): boolean {
  if (jwt.header.alg !== 'RS256') return false;
  return verify('RSA-SHA256', Buffer.from(jwt.signingInput), publicKey, jwt.signature);
}

/** Signs claims with RS256; tests use it to craft assertions the real library would not. */
export function signRs256(claims: JwtClaims, privateKeyPem: string, kid?: string): string {
  const header: JwtHeader = { alg: 'RS256', typ: 'JWT', ...(kid ? { kid } : {}) };
  const encode = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${encode(header)}.${encode(claims)}`;
  const signature = createSign('RSA-SHA256').update(input).sign(privateKeyPem).toString('base64url');
  return `${input}.${signature}`;
}

export function scopesOf(claims: JwtClaims): string[] {
  return typeof claims.scope === 'string' ? claims.scope.split(/\s+/).filter(Boolean) : [];
}
