import type { DeviceSummary } from './store/devices.js';

/** The per-device statistics table printed at shutdown and by `devices list` (pure). */
export function formatDeviceTable(devices: readonly DeviceSummary[], now: number): string {
  if (devices.length === 0) return 'no devices yet\n';
  const header = ['device', 'readings', 'dups', 'bytes', 'errors', 'connects', 'connected', 'clock offset', 'rtt', 'last seen', 'status'];
  const rows = devices.map((d) => [
    d.id,
    String(d.readings),
    String(d.duplicates),
    String(d.bytes),
    formatErrors(d.errors),
    String(d.connects),
    formatDuration(d.connectedMs),
    d.clockOffsetMs === null ? '-' : `${d.clockOffsetMs} ms`,
    d.clockRttMs === null ? '-' : `${d.clockRttMs} ms`,
    d.lastSeen === null ? 'never' : `${formatDuration(now - d.lastSeen)} ago`,
    d.revokedAt !== null ? 'revoked' : d.origin,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

function formatErrors(errors: Record<string, number>): string {
  const parts = Object.entries(errors).map(([code, n]) => `${code}:${n}`);
  return parts.length === 0 ? '0' : parts.join(',');
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d${String(Math.floor((s % 86400) / 3600)).padStart(2, '0')}h`;
}
