import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const FILE = 'mqtt-client-id';

/**
 * The gateway's MQTT client id: the configured one, else the one generated on the first start and
 * kept in the data directory. It must not change across restarts: the broker keeps the gateway's
 * persistent session (its subscriptions and the readings queued while it was away) under this id.
 */
export function stableClientId(dataDir: string, configured: string | undefined): string {
  if (configured !== undefined) return configured;
  const path = join(dataDir, FILE);
  const existing = readId(path);
  if (existing !== null) return existing;
  mkdirSync(dataDir, { recursive: true });
  try {
    writeFileSync(path, `sheetlog-${randomBytes(6).toString('hex')}\n`, { flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const id = readId(path);
  if (id === null) throw new Error(`${path} holds no MQTT client id`);
  return id;
}

function readId(path: string): string | null {
  try {
    const id = readFileSync(path, 'utf8').trim();
    return /^[A-Za-z0-9_.-]{1,64}$/.test(id) ? id : null;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}
