import type { DeviceSummary } from './store/devices.js';

/**
 * A device's figures as people read them, the same in the API, the dashboard and `devices list`
 * (pure). Status is one vocabulary everywhere:
 *
 *   revoked    its token was revoked
 *   connected  a session is open now
 *   recent     heard from within silentAfterMs
 *   silent     heard from once, not within silentAfterMs
 *   never      registered, never heard from
 *
 * How the device came to be registered (tofu / cli / open) is its `origin`, a separate column.
 */
export type DeviceStatus = 'connected' | 'recent' | 'silent' | 'never' | 'revoked';

export function deviceStatus(d: Pick<DeviceSummary, 'revokedAt' | 'lastSeen'>, connected: boolean, now: number, silentAfterMs: number): DeviceStatus {
  if (d.revokedAt !== null) return 'revoked';
  if (connected) return 'connected';
  if (d.lastSeen === null) return 'never';
  return now - d.lastSeen > silentAfterMs ? 'silent' : 'recent';
}

/** Connected time of the closed sessions plus the running one. */
export function connectedMsNow(d: Pick<DeviceSummary, 'connectedMs' | 'connectedSince'>, now: number): number {
  return d.connectedMs + (d.connectedSince === null ? 0 : Math.max(0, now - d.connectedSince));
}

/**
 * What the gateway knows of the board's clock: `board` (it reports its own estimate with
 * `T ... off=`, so it has an error), `uptime` (it asks the time but keeps no clock: readings
 * stamped `u<millis>` are converted by the gateway) or `unknown` (no `T` yet).
 */
export type ClockKind = 'board' | 'uptime' | 'unknown';

export function clockKind(d: Pick<DeviceSummary, 'clockErrorMs' | 'clockEpochMinusMillisMs'>): ClockKind {
  if (d.clockErrorMs !== null) return 'board';
  return d.clockEpochMinusMillisMs !== null ? 'uptime' : 'unknown';
}

/** "+12 ms", "-1.4 s", "+3m05s", "+20791d14h"; sign: + the board is ahead. */
export function formatClockError(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const a = Math.abs(ms);
  if (a < 1000) return `${sign}${Math.round(a)} ms`;
  if (a < 60_000) return `${sign}${(a / 1000).toFixed(1)} s`;
  return `${sign}${formatDuration(a)}`;
}

/** The clock cell: the error, "no clock (uptime stamps)" or "-". */
export function formatClock(d: Pick<DeviceSummary, 'clockErrorMs' | 'clockEpochMinusMillisMs'>): string {
  const kind = clockKind(d);
  if (kind === 'board') return formatClockError(d.clockErrorMs as number);
  return kind === 'uptime' ? 'no clock (uptime stamps)' : '-';
}

/** "+3.2 ppm" (the board's clock runs fast) or "-"; drift is measured between samples ≥ 1 min apart. */
export function formatDrift(ppm: number | null): string {
  if (ppm === null) return '-';
  return `${ppm < 0 ? '-' : '+'}${Math.abs(ppm) < 10 ? Math.abs(ppm).toFixed(1) : Math.round(Math.abs(ppm))} ppm`;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d${String(Math.floor((s % 86400) / 3600)).padStart(2, '0')}h`;
}
