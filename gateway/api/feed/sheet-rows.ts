import type { StoredReading } from '../../store/readings.js';
import { fieldsOf, isoOrValue } from '../../time/instant.js';

export type Cell = string | number | boolean;

/**
 * Turns a stored reading into the rows a sink writes for it; the dashboard's live tail shows exactly
 * these rows. app.ts hands the API the first sink's encoder (sink-rows.ts); this long layout with
 * ISO times stands in when the API runs without one.
 */
export interface SheetRowEncoder {
  readonly header: readonly string[];
  encode(reading: StoredReading): Cell[][];
}

export const longLayoutEncoder: SheetRowEncoder = {
  header: ['time', 'device', 'sensor', 'value', 'seq', 'boot', 'time source', 'received'],
  encode(r) {
    const fields = fieldsOf<Cell>(r.fields);
    const time = isoOrValue(r.ts);
    const received = isoOrValue(r.received);
    return Object.entries(fields).map(([sensor, value]) => [time, r.device, sensor, value, r.seq, r.boot, r.tsSource, received]);
  },
};
