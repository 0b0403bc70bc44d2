import type { DeviceView as Device } from '../views.js';
import type { DeviceRow, DeviceView } from './messages.js';

const STATUS_ORDER: Record<string, number> = { connected: 0, recent: 1, silent: 2, never: 3, revoked: 4 };
/** Natural order: sensor-2 before sensor-10. */
const byId = new Intl.Collator('en', { numeric: true }).compare;

/** The page of the device table one client asked for (pure). */
export function devicePage(devices: readonly Device[], view: DeviceView): { total: number; matched: number; rows: DeviceRow[] } {
  const needle = view.filter.trim().toLowerCase();
  const matched = needle === '' ? devices.slice() : devices.filter((d) => matches(d, needle));
  const key = sortKey(view.sort);
  const dir = view.desc ? -1 : 1;
  matched.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    // Missing values (never seen, no clock sample) go last whichever the direction.
    if (ka === null || kb === null) return ka === kb ? byId(a.id, b.id) : ka === null ? 1 : -1;
    if (typeof ka === 'string' && typeof kb === 'string') return dir * byId(ka, kb);
    return ka < kb ? -dir : ka > kb ? dir : byId(a.id, b.id);
  });
  return { total: devices.length, matched: matched.length, rows: matched.slice(0, view.limit).map(toRow) };
}

function matches(d: Device, needle: string): boolean {
  return d.id.toLowerCase().includes(needle) || (d.board ?? '').toLowerCase().includes(needle) || (d.fw ?? '').toLowerCase().includes(needle) || d.status === needle;
}

function sortKey(sort: DeviceView['sort']): (d: Device) => string | number | null {
  switch (sort) {
    case 'id':
      return (d) => d.id;
    case 'status':
      return (d) => STATUS_ORDER[d.status] ?? 9;
    case 'lastSeen':
      return (d) => d.lastSeen;
    case 'readings':
      return (d) => d.readings;
    case 'naks':
      return (d) => d.naks;
    case 'clock':
      return (d) => (d.clock.errorMs === null ? null : Math.abs(d.clock.errorMs));
  }
}

export function toRow(d: Device): DeviceRow {
  let errors = 0;
  for (const n of Object.values(d.errors)) errors += n;
  return {
    id: d.id,
    status: d.status,
    board: d.board,
    fw: d.fw,
    lastSeen: d.lastSeen,
    readings: d.readings,
    naks: d.naks,
    errors: errors - d.naks,
    clock: d.clock.kind,
    clockErrorMs: d.clock.errorMs,
    rttMs: d.clock.rttMs,
    driftPpm: d.clock.driftPpm,
  };
}
