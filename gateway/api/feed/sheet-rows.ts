import type { StoredReading } from '../../store/readings.js';

export type Cell = string | number | boolean;

/**
 * Turns a stored reading into the rows a sink writes for it. The dashboard's live tail shows
 * exactly these rows. The sync side owns the real encoder; until the API is handed one, this
 * long layout stands in (one row per field).
 */
export interface SheetRowEncoder {
  readonly header: readonly string[];
  encode(reading: StoredReading): Cell[][];
}

export const longLayoutEncoder: SheetRowEncoder = {
  header: ['time', 'device', 'sensor', 'value', 'seq', 'boot', 'time source', 'received'],
  encode(r) {
    const fields = JSON.parse(r.fields) as Record<string, Cell>;
    const time = new Date(r.ts).toISOString();
    const received = new Date(r.received).toISOString();
    return Object.entries(fields).map(([sensor, value]) => [time, r.device, sensor, value, r.seq, r.boot, r.tsSource, received]);
  },
};
