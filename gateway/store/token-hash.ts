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

export function hashToken(token: string, salt: Buffer = randomBytes(SALT_BYTES)): TokenHash {
  const hash = createHash('sha256').update(salt).update(token, 'utf8').digest();
  return { salt, hash };
}

/**
 * Salts for new token hashes, drawn from one random buffer of SALTS_PER_DRAW salts at a time: a
 * burst of thousands of boards registering on first use costs a call into the system's random
 * source per SALTS_PER_DRAW registrations instead of one each. Every salt is still 16 random bytes
 * used once.
 */
export class SaltSource {
  private pool: Buffer = Buffer.alloc(0);
  private offset = 0;

  next(): Buffer {
    if (this.offset + SALT_BYTES > this.pool.length) {
      this.pool = randomBytes(SALT_BYTES * SALTS_PER_DRAW);
      this.offset = 0;
    }
    const salt = this.pool.subarray(this.offset, this.offset + SALT_BYTES);
    this.offset += SALT_BYTES;
    return salt;
  }
}

const SALT_BYTES = 16;
const SALTS_PER_DRAW = 256;

export function tokenMatches(token: string, stored: TokenHash): boolean {
  const { hash } = hashToken(token, stored.salt);
  return hash.length === stored.hash.length && timingSafeEqual(hash, stored.hash);
}

/** A new random device token (24 characters of base64url, inside the protocol's token grammar). */
export function newToken(): string {
  return randomBytes(18).toString('base64url');
}
