import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { IncomingMessage } from 'node:http';
import type { Logger } from '../log.js';

/** Whether `host` only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/**
 * The admin token: read from `path`, or generated there (mode 0600) on first start. The token itself
 * is never logged (logs are kept and shipped: journald, files); the log says where the file is.
 */
export function loadOrCreateAdminToken(path: string, log: Logger): string {
  try {
    const token = readFileSync(path, 'utf8').trim();
    if (token.length >= 16) {
      if ((statSync(path).mode & 0o077) !== 0) {
        chmodSync(path, 0o600);
        log.warn({ adminTokenFile: path }, 'admin token file was readable by others; its mode is now 0600');
      }
      return token;
    }
    log.warn({ adminTokenFile: path }, 'admin token file is empty or too short; generating a new token');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const token = randomBytes(24).toString('base64url');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  log.warn({ adminTokenFile: path }, `admin token generated in ${path} (mode 0600); send it as "Authorization: Bearer <token>"`);
  return token;
}

/** Compares presented tokens with the admin token in constant time. */
export class AdminAccess {
  private readonly digest: Buffer;

  constructor(token: string) {
    if (token.length < 16) throw new Error('admin token too short');
    this.digest = sha256(token);
  }

  matches(presented: string): boolean {
    return timingSafeEqual(sha256(presented), this.digest);
  }

  /** The token of a request: `Authorization: Bearer <token>`; null when absent. */
  static presented(req: IncomingMessage): string | null {
    const header = req.headers.authorization;
    if (header === undefined) return null;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return m ? (m[1] as string) : '';
  }
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
