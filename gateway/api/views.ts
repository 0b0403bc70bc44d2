import { clockKind, connectedMsNow, deviceStatus, type ClockKind, type DeviceStatus } from '../device-figures.js';
import { NAK_CODES } from '../protocol/codes.js';
import type { DeviceSummary } from '../store/devices.js';
import type { ApiDeps } from './context.js';
import type { SinkStatus } from './sync-status.js';

export { deviceStatus, type DeviceStatus } from '../device-figures.js';

/**
 * What the gateway knows of a board's clock (docs/API.md, "Devices"). `errorMs` is how far the
 * board's own clock is from the gateway's (board minus gateway), null for a board that keeps no
 * clock (`kind: 'uptime'`) or has not sent `T` (`'unknown'`); `epochMinusMillisMs` is the raw anchor
 * the gateway converts `u<millis>` stamps with, not an error.
 */
export interface ClockView {
  kind: ClockKind;
  errorMs: number | null;
  driftPpm: number | null;
  rttMs: number | null;
  epochMinusMillisMs: number | null;
  untrusted: number;
}

/** A device as the API and the dashboard show it. */
export interface DeviceView {
  id: string;
  status: DeviceStatus;
  origin: string;
  board: string | null;
  fw: string | null;
  createdAt: number;
  revokedAt: number | null;
  lastSeen: number | null;
  readings: number;
  duplicates: number;
  bytes: number;
  connects: number;
  /** Connected time, the running session included. */
  connectedMs: number;
  /** Start of the running session (the store's record), or null. */
  connectedSince: number | null;
  /** Readings refused with NAK (sum of the NAK codes in `errors`). */
  naks: number;
  /** NAK and ERR replies by code. */
  errors: Record<string, number>;
  clock: ClockView;
  /**
   * The board's own report in HELLO: reset= (why it last started) and missed= (samples missed this
   * boot). Always set by deviceView(); optional so views built elsewhere need not invent it.
   */
  health?: { resetCause: string | null; missedSamples: number | null };
}

const NAKS: ReadonlySet<string> = new Set(NAK_CODES);

export function deviceView(d: DeviceSummary, connected: boolean, now: number, silentAfterMs: number): DeviceView {
  let naks = 0;
  for (const [code, n] of Object.entries(d.errors)) if (NAKS.has(code)) naks += n;
  return {
    id: d.id,
    status: deviceStatus(d, connected, now, silentAfterMs),
    origin: d.origin,
    board: d.board,
    fw: d.fw,
    createdAt: d.createdAt,
    revokedAt: d.revokedAt,
    lastSeen: d.lastSeen,
    readings: d.readings,
    duplicates: d.duplicates,
    bytes: d.bytes,
    connects: d.connects,
    connectedMs: connectedMsNow(d, now),
    connectedSince: d.connectedSince,
    naks,
    errors: d.errors,
    clock: {
      kind: clockKind(d),
      errorMs: d.clockErrorMs,
      driftPpm: d.clockDriftPpm,
      rttMs: d.clockRttMs,
      epochMinusMillisMs: d.clockEpochMinusMillisMs,
      untrusted: d.clockUntrusted,
    },
    health: { resetCause: d.resetCause, missedSamples: d.missedSamples },
  };
}

/** Every device with its status, in id order. */
export function allDeviceViews(deps: ApiDeps): DeviceView[] {
  const connected = new Set(deps.sessions.devices());
  const now = deps.timers.now();
  return deps.store.devices.list().map((d) => deviceView(d, connected.has(d.id), now, deps.settings.silentAfterMs));
}

export interface FleetCounts {
  total: number;
  connected: number;
  /** Heard from within silentAfterMs (connected or not). */
  seen: number;
  /** Heard from once, not within silentAfterMs, and not revoked. */
  silent: number;
  never: number;
  revoked: number;
}

export function fleetCounts(devices: readonly DeviceView[], now: number, silentAfterMs: number): FleetCounts {
  const c: FleetCounts = { total: devices.length, connected: 0, seen: 0, silent: 0, never: 0, revoked: 0 };
  for (const d of devices) {
    if (d.status === 'connected') c.connected++;
    if (d.status === 'silent') c.silent++;
    if (d.status === 'never') c.never++;
    if (d.status === 'revoked') c.revoked++;
    if (d.lastSeen !== null && now - d.lastSeen <= silentAfterMs && d.status !== 'revoked') c.seen++;
  }
  return c;
}

/** A sink's status with the pending figures filled in from its store cursor. */
export interface SinkView extends Required<SinkStatus> {
  /** now - oldestPendingAt, ms; 0 when nothing is pending. */
  lagMs: number;
}

export function sinkViews(deps: ApiDeps): SinkView[] {
  const now = deps.timers.now();
  const highest = deps.store.highestId;
  return deps
    .sync()
    .sinks()
    .map((s) => {
      const pendingRows = s.pendingRows ?? Math.max(0, highest - s.cursor);
      const oldestPendingAt = s.oldestPendingAt !== undefined ? s.oldestPendingAt : pendingRows > 0 ? deps.recent.receivedAfter(s.cursor) : null;
      const warnings = [...(s.warnings ?? []), ...(deps.sinkWarnings?.(s.name) ?? [])];
      const quarantine = { quarantinedRows: s.quarantinedRows ?? 0, quarantinedByDevice: s.quarantinedByDevice ?? {} };
      return { ...s, pendingRows, oldestPendingAt, warnings, ...quarantine, lagMs: oldestPendingAt === null ? 0 : Math.max(0, now - oldestPendingAt) };
    });
}
