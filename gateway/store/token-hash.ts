import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Device tokens are stored as salted SHA-256 hashes. Tokens made by `devices add` carry 144 random
 * bits, so a fast hash is enough; it also keeps a reconnect storm of thousands of boards cheap,
 * which a deliberately slow KDF would not.
 */
export interface TokenHash {
  salt: Buffer;
  hash: Buffer;
}

export function hashToken(token: string, salt: Buffer = randomBytes(16)): TokenHash {
  const hash = createHash('sha256').update(salt).update(token, 'utf8').digest();
  return { salt, hash };
}

export function tokenMatches(token: string, stored: TokenHash): boolean {
  const { hash } = hashToken(token, stored.salt);
  return hash.length === stored.hash.length && timingSafeEqual(hash, stored.hash);
}

/** A new random device token (24 characters of base64url, inside the protocol's token grammar). */
export function newToken(): string {
  return randomBytes(18).toString('base64url');
}
