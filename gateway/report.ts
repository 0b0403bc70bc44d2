import { connectedMsNow, deviceStatus, formatClock, formatDrift, formatDuration } from './device-figures.js';
import type { DeviceSummary } from './store/devices.js';

export { formatDuration } from './device-figures.js';

/** The default of `http.silentAfterMs`, for callers without a configuration at hand. */
const SILENT_AFTER_MS = 120_000;

/**
 * The per-device statistics table printed at shutdown and by `devices list` (pure). Status and
 * figures mean what they mean in the API and on the dashboard (gateway/device-figures.ts);
 * "connected" is what the store records, so the CLI sees the sessions of a running gateway.
 */
export function formatDeviceTable(devices: readonly DeviceSummary[], now: number, silentAfterMs = SILENT_AFTER_MS): string {
  if (devices.length === 0) return 'no devices yet\n';
  const header = ['device', 'status', 'origin', 'readings', 'dups', 'bytes', 'errors', 'connects', 'connected', 'clock error', 'drift', 'rtt', 'last seen'];
  const rows = devices.map((d) => [
    d.id,
    deviceStatus(d, d.sessionsOpen > 0, now, silentAfterMs),
    d.origin,
    String(d.readings),
    String(d.duplicates),
    String(d.bytes),
    formatErrors(d.errors),
    String(d.connects),
    formatDuration(connectedMsNow(d, now)),
    formatClock(d),
    formatDrift(d.clockDriftPpm),
    d.clockRttMs === null ? '-' : `${d.clockRttMs} ms`,
    d.lastSeen === null ? 'never' : `${formatDuration(now - d.lastSeen)} ago`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

function formatErrors(errors: Record<string, number>): string {
  const parts = Object.entries(errors).map(([code, n]) => `${code}:${n}`);
  return parts.length === 0 ? '0' : parts.join(',');
}
