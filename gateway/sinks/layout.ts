import type { StoredReading } from '../store/readings.js';

/**
 * Turning stored readings into table rows, shared by every tabular sink (Sheets, CSV). Pure: no
 * I/O, no clock. Each sink then renders the logical values its own way (Sheets: serial date
 * numbers; CSV: local date-time text).
 *
 * - long (default): one tab; one row per field of a reading.
 * - per-device: one tab per device; one row per reading, a column per field, columns added
 *   (at the right) when a device sends a field for the first time.
 */
export type Layout = 'long' | 'per-device';

/** A cell before rendering; `{ time }` is an instant in epoch milliseconds. */
export type LogicalValue = string | number | boolean | { time: number } | null;

export const LONG_COLUMNS: readonly string[] = ['time', 'device', 'sensor', 'value', 'seq', 'boot', 'time source', 'received'];
export const DEVICE_FIXED_COLUMNS: readonly string[] = ['time', 'seq', 'boot', 'time source', 'received'];

/** Columns that identify a row as a particular reading's (for recognising rows already written). */
export const KEY_COLUMNS: Record<Layout, readonly string[]> = {
  long: ['device', 'sensor', 'seq', 'boot'],
  'per-device': ['seq', 'boot'],
};

export interface TableRow {
  readingId: number;
  cells: Record<string, LogicalValue>;
}

export interface TabBlock {
  /** '' for the long layout's single tab, the device id for per-device tabs. */
  tabKey: string;
  /** Column names this block's rows use, in order of first appearance (after the fixed ones). */
  columns: string[];
  rows: TableRow[];
}

/** Groups readings into per-tab blocks, preserving reading order within each tab. */
export function layoutRows(layout: Layout, readings: readonly StoredReading[]): TabBlock[] {
  const blocks = new Map<string, TabBlock>();
  for (const r of readings) {
    const key = layout === 'long' ? '' : r.device;
    let block = blocks.get(key);
    if (!block) {
      block = { tabKey: key, columns: [...(layout === 'long' ? LONG_COLUMNS : DEVICE_FIXED_COLUMNS)], rows: [] };
      blocks.set(key, block);
    }
    const fields = parseFields(r.fields);
    if (layout === 'long') {
      for (const [sensor, value] of fields) block.rows.push({ readingId: r.id, cells: { ...common(r), device: r.device, sensor, value } });
    } else {
      const cells: Record<string, LogicalValue> = common(r);
      for (const [name, value] of fields) {
        const column = fieldColumn(name);
        if (!block.columns.includes(column)) block.columns.push(column);
        cells[column] = value;
      }
      block.rows.push({ readingId: r.id, cells });
    }
  }
  return [...blocks.values()];
}

/** The header after adding the columns a block needs that `header` lacks (at the right). */
export function extendColumns(header: readonly string[], wanted: readonly string[]): string[] {
  const out = [...header];
  for (const c of wanted) if (!out.includes(c)) out.push(c);
  return out;
}

/** A row's values in header order (missing cells null, trailing nulls kept). */
export function rowValues(header: readonly string[], row: TableRow): LogicalValue[] {
  return header.map((c) => (c in row.cells ? (row.cells[c] as LogicalValue) : null));
}

/** A field whose name equals a fixed column gets a prefix, so it never overwrites one. */
export function fieldColumn(name: string): string {
  return DEVICE_FIXED_COLUMNS.includes(name) ? `field.${name}` : name;
}

function common(r: StoredReading): Record<string, LogicalValue> {
  return { time: { time: r.ts }, seq: r.seq, boot: r.boot, 'time source': r.tsSource, received: { time: r.received } };
}

function parseFields(text: string): [string, LogicalValue][] {
  const parsed: unknown = JSON.parse(text);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return [];
  return Object.entries(parsed as Record<string, unknown>).map(([k, v]) => [k, isScalar(v) ? v : JSON.stringify(v)]);
}

function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}
