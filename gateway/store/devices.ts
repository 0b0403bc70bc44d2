import type { Statement } from 'better-sqlite3';
import type { Db } from './database.js';
import { DeviceTotals, type TotalsRow } from './device-totals.js';
import { StoreError } from './errors.js';
import { hashToken, newToken, tokenMatches } from './token-hash.js';

const DEVICE_ID = /^[A-Za-z0-9_.-]{1,64}$/;

/** Throws DEVICE_ID_INVALID unless `id` is a valid device id (checked before a store is opened). */
export function checkDeviceId(id: string): void {
  if (!DEVICE_ID.test(id)) throw new StoreError('DEVICE_ID_INVALID', `device id must match [A-Za-z0-9_.-]{1,64}: ${JSON.stringify(id)}`);
}

/** A device's registry entry as authentication needs it. */
export interface DeviceCredentials {
  id: string;
  salt: Buffer | null;
  hash: Buffer | null;
  revokedAt: number | null;
}

/** A device's registry entry with its statistics (for `devices list`, the API and shutdown). */
export interface DeviceSummary {
  id: string;
  origin: string;
  createdAt: number;
  revokedAt: number | null;
  board: string | null;
  fw: string | null;
  lastSeen: number | null;
  readings: number;
  duplicates: number;
  bytes: number;
  connects: number;
  connectedMs: number;
  /** Sessions open now (as recorded in the store) and when the running stretch began. */
  sessionsOpen: number;
  connectedSince: number | null;
  clockUntrusted: number;
  /** The anchor epoch ms − millis() (docs/PROTOCOL.md `T`): not an error, a board's uptime origin. */
  clockEpochMinusMillisMs: number | null;
  /** The board's own clock minus the gateway's, from its last `T ... off=`; null: never reported. */
  clockErrorMs: number | null;
  clockRttMs: number | null;
  clockDriftPpm: number | null;
  /** HELLO reset=: why the board last (re)started, as it last reported (null: never reported). */
  resetCause: string | null;
  /** HELLO missed=: samples the board missed in its current boot, as it last reported. */
  missedSamples: number | null;
  errors: Record<string, number>;
}

const SUMMARY_SELECT = `SELECT id, origin, created_at AS createdAt, revoked_at AS revokedAt, board, fw, last_seen AS lastSeen,
    readings, duplicates, bytes, connects, connected_ms AS connectedMs, sessions_open AS sessionsOpen,
    connected_since AS connectedSince, clock_untrusted AS clockUntrusted, clock_offset_ms AS clockEpochMinusMillisMs,
    clock_error_ms AS clockErrorMs, clock_rtt_ms AS clockRttMs, clock_drift_ppm AS clockDriftPpm,
    reset_cause AS resetCause, missed_samples AS missedSamples
  FROM devices`;

type SummaryRow = Omit<DeviceSummary, 'errors'>;

/** A device's row plus the counters of commits not folded into it yet (store/device-totals.ts). */
function withPending(row: SummaryRow, p: TotalsRow | undefined): SummaryRow {
  if (p === undefined) return row;
  return {
    ...row,
    readings: row.readings + p[1],
    duplicates: row.duplicates + p[2],
    bytes: row.bytes + p[3],
    clockUntrusted: row.clockUntrusted + p[4],
    lastSeen: Math.max(row.lastSeen ?? 0, p[5]),
  };
}

interface ErrorRow {
  device: string;
  code: string;
  count: number;
}

/** The device registry: provisioning (CLI), lookups (auth) and statistics (reports). */
export class DeviceRegistry {
  /** Prepared once: every HELLO asks (a burst of thousands of boards asks thousands of times a second). */
  private findStmt: Statement | undefined;

  private readonly totals: DeviceTotals;

  constructor(private readonly db: Db) {
    this.totals = new DeviceTotals(db);
  }

  find(id: string): DeviceCredentials | undefined {
    this.findStmt ??= this.db.prepare('SELECT id, token_salt AS salt, token_hash AS hash, revoked_at AS revokedAt FROM devices WHERE id = ?');
    return this.findStmt.get(id) as DeviceCredentials | undefined;
  }

  /** Whether `token` is the device's token (a device registered with auth off has none). */
  static tokenAccepted(device: DeviceCredentials, token: string): boolean {
    if (device.salt === null || device.hash === null) return true;
    return tokenMatches(token, { salt: device.salt, hash: device.hash });
  }

  /**
   * Provisions a device with a new random token and returns the token (shown once, never stored).
   * A revoked device may be provisioned again; an active one may not (revoke it first).
   */
  add(id: string, now: number): string {
    checkDeviceId(id);
    const token = newToken();
    const { salt, hash } = hashToken(token);
    const tx = this.db.transaction(() => {
      const existing = this.find(id);
      if (existing && existing.revokedAt === null) throw new StoreError('DEVICE_EXISTS', `device ${id} is already registered (revoke it first to issue a new token)`);
      if (existing) {
        this.db.prepare("UPDATE devices SET token_salt = ?, token_hash = ?, origin = 'cli', revoked_at = NULL WHERE id = ?").run(salt, hash, id);
      } else {
        this.db.prepare("INSERT INTO devices (id, token_salt, token_hash, origin, created_at) VALUES (?, ?, ?, 'cli', ?)").run(id, salt, hash, now);
      }
    });
    tx.immediate();
    return token;
  }

  revoke(id: string, now: number): void {
    const info = this.db.prepare('UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id);
    if (info.changes === 0) {
      if (this.find(id)) return; // already revoked: revoking is idempotent
      throw new StoreError('DEVICE_UNKNOWN', `no device ${id}`);
    }
  }

  /** Ids revoked at or after `since` (the gateway closes their live connections). */
  revokedSince(since: number): { id: string; revokedAt: number }[] {
    return this.db.prepare('SELECT id, revoked_at AS revokedAt FROM devices WHERE revoked_at >= ?').all(since) as { id: string; revokedAt: number }[];
  }

  /**
   * The gateway starts with no session open: a crash left the last ones recorded as open. Their
   * length is unknown, so it is not added to `connected_ms`.
   */
  endAllSessions(): void {
    this.db.prepare('UPDATE devices SET sessions_open = 0, connected_since = NULL WHERE sessions_open > 0').run();
  }

  list(): DeviceSummary[] {
    // Read in one transaction: a fold between the two reads would count its rows twice or not at all.
    const { rows, pending } = this.db.transaction(() => ({
      rows: this.db.prepare(`${SUMMARY_SELECT} ORDER BY id`).all() as SummaryRow[],
      pending: this.totals.pending(),
    }))();
    const errors = this.db.prepare('SELECT device, code, count FROM device_errors ORDER BY device, code').all() as ErrorRow[];
    const byDevice = new Map<string, Record<string, number>>();
    for (const e of errors) {
      const m = byDevice.get(e.device) ?? {};
      m[e.code] = e.count;
      byDevice.set(e.device, m);
    }
    return rows.map((r) => ({ ...withPending(r, pending.get(r.id)), errors: byDevice.get(r.id) ?? {} }));
  }

  get(id: string): DeviceSummary | undefined {
    // One transaction, as in list().
    const row = this.db.transaction(() => {
      const r = this.db.prepare(`${SUMMARY_SELECT} WHERE id = ?`).get(id) as SummaryRow | undefined;
      return r === undefined ? undefined : withPending(r, this.totals.pendingOf(id));
    })();
    if (row === undefined) return undefined;
    const errors: Record<string, number> = {};
    for (const e of this.db.prepare('SELECT device, code, count FROM device_errors WHERE device = ? ORDER BY code').all(id) as ErrorRow[]) {
      errors[e.code] = e.count;
    }
    return { ...row, errors };
  }
}
