import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isDeviceId, isToken } from './protocol.js';

/**
 * Which id and token each simulated board uses. A token file is a JSON object mapping device ids
 * to tokens, `{ "kitchen-1": "s3cr3t", ... }`, for gateways with pre-provisioned devices
 * (`auth.mode=required`). Without one, boards get generated ids and tokens derived from the id,
 * so a re-run presents the same token (the gateway's default auth mode is trust-on-first-use).
 */
export interface Credential {
  id: string;
  token: string;
}

export function derivedToken(deviceId: string): string {
  return `sim-${createHash('sha256').update(`sheetlog-sim:${deviceId}`).digest('hex').slice(0, 32)}`;
}

/** `<prefix>-<profile>-<n>` with n zero-padded, e.g. `sim-esp8266-0007`. */
export function generatedId(prefix: string, profile: string, index: number, count: number): string {
  const width = Math.max(4, String(count).length);
  return `${prefix}-${profile}-${String(index + 1).padStart(width, '0')}`;
}

export function parseTokenFile(text: string, source = 'token file'): Credential[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source}: not JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${source}: expected a JSON object { "<device-id>": "<token>" }`);
  }
  return Object.entries(parsed).map(([id, token]) => {
    if (!isDeviceId(id)) throw new Error(`${source}: bad device id ${JSON.stringify(id)} (1-64 of A-Z a-z 0-9 _ . -)`);
    if (typeof token !== 'string' || !isToken(token)) {
      throw new Error(`${source}: bad token for ${id} (1-128 of A-Z a-z 0-9 _ . - ~ + / =)`);
    }
    return { id, token };
  });
}

export function readTokenFile(path: string): Credential[] {
  return parseTokenFile(readFileSync(path, 'utf8'), path);
}
