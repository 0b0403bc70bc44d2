import { calibrate, type FieldRules } from '../fields/rules.js';
import type { StoredReading } from '../store/readings.js';
import { fieldsOf } from '../time/instant.js';

/**
 * Turning stored readings into table rows, shared by every tabular sink (Sheets, CSV). Pure: no
 * I/O, no clock. Each sink then renders the logical values its own way (Sheets: serial date
 * numbers; CSV: local date-time text).
 *
 * - long (default): one tab; one row per field of a reading.
 * - per-device: one tab per device; one row per reading, a column per field, columns added
 *   (at the right) when a device sends a field for the first time.
 *
 * Values are shown as the field rules say (config `fields`, docs/FIELDS.md): a number with a rule
 * is calibrated (× scale + offset, rounded to `decimals`), and the long layout's `unit` column
 * names the rule's unit. Rules apply when a row is laid out: a changed rule changes rows written
 * from then on, never rows a sink already holds.
 */
export type Layout = 'long' | 'per-device';

/** A reading's fields as parsed from its text (what the layouts iterate, in JSON order). */
export type ReadingFields = Readonly<Record<string, unknown>>;

/** A cell before rendering; `{ time }` is an instant in epoch milliseconds. */
export type LogicalValue = string | number | boolean | { time: number } | null;

/** `unit` is last: a table written before units existed gets it at the right, where a new one has it too. */
export const LONG_COLUMNS: readonly string[] = ['time', 'device', 'sensor', 'value', 'seq', 'boot', 'time source', 'received', 'unit'];
/** The long layout's columns a table must already have to be taken as sheetlog's (one from before units lacks `unit`). */
export const LONG_REQUIRED_COLUMNS: readonly string[] = LONG_COLUMNS.filter((c) => c !== 'unit');
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

/**
 * Groups readings into per-tab blocks, preserving reading order within each tab. `parsed`: the
 * readings' fields as already parsed (`parsed[i]` is `readings[i]`'s; row-check.ts's
 * writablePrefix gives them), so that no text is parsed twice; absent, each row's text is parsed.
 */
export function layoutRows(
  layout: Layout,
  readings: readonly StoredReading[],
  rules: FieldRules | null = null,
  parsed?: readonly ReadingFields[],
): TabBlock[] {
  const withRules = rules !== null && !rules.empty ? rules : null;
  const blocks = new Map<string, TabBlock>();
  for (let i = 0; i < readings.length; i++) {
    const r = readings[i] as StoredReading;
    const key = layout === 'long' ? '' : r.device;
    let block = blocks.get(key);
    if (!block) {
      block = { tabKey: key, columns: [...(layout === 'long' ? LONG_COLUMNS : DEVICE_FIXED_COLUMNS)], rows: [] };
      blocks.set(key, block);
    }
    const fields = parsed?.[i] ?? parseFields(r.fields);
    // The hot path of every sink: one cells object per row, built in one go; a reading's rows
    // share its two (immutable) time values.
    const time = { time: r.ts };
    const received = { time: r.received };
    if (layout === 'long') {
      forEachLongRow(r, fields, withRules, (sensor, value, unit) => {
        block.rows.push({
          readingId: r.id,
          cells: { time, seq: r.seq, boot: r.boot, 'time source': r.tsSource, received, device: r.device, sensor, value, unit },
        });
      });
    } else {
      // No prototype: a field may be named "constructor" or "__proto__" (the protocol allows it).
      const cells: Record<string, LogicalValue> = Object.assign(Object.create(null) as Record<string, LogicalValue>, common(r, time, received));
      for (const name in fields) {
        const column = fieldColumn(name);
        if (!block.columns.includes(column)) block.columns.push(column);
        const rule = withRules?.ruleFor(r.device, name) ?? null;
        cells[column] = rule === null ? cellValue(fields[name]) : shownValue(rule, fields[name]);
      }
      block.rows.push({ readingId: r.id, cells });
    }
  }
  return [...blocks.values()];
}

/**
 * The long layout's rows of one reading, without building them: for each field in JSON order, its
 * name, its value as the rules show it, and the rule's unit (null without one). `fields`: the
 * reading's fields as parsed (row-check.ts's writablePrefix gives them). layoutRows builds its
 * rows from this; a sink that renders rows straight to text (CSV) calls it with the same result.
 */
export function forEachLongRow(
  r: StoredReading,
  fields: ReadingFields,
  rules: FieldRules | null,
  row: (sensor: string, value: LogicalValue, unit: string | null) => void,
): void {
  const withRules = rules !== null && !rules.empty ? rules : null;
  for (const sensor in fields) {
    const rule = withRules?.ruleFor(r.device, sensor) ?? null;
    row(sensor, rule === null ? cellValue(fields[sensor]) : shownValue(rule, fields[sensor]), rule?.unit ?? null);
  }
}

/** The header after adding the columns a block needs that `header` lacks (at the right). */
export function extendColumns(header: readonly string[], wanted: readonly string[]): string[] {
  const out = [...header];
  for (const c of wanted) if (!out.includes(c)) out.push(c);
  return out;
}

/** A row's values in header order (missing cells null, trailing nulls kept). */
export function rowValues(header: readonly string[], row: TableRow): LogicalValue[] {
  return header.map((c) => (Object.hasOwn(row.cells, c) ? (row.cells[c] as LogicalValue) : null));
}

/** A field whose name equals a fixed column gets a prefix, so it never overwrites one. */
export function fieldColumn(name: string): string {
  return DEVICE_FIXED_COLUMNS.includes(name) ? `field.${name}` : name;
}

function common(r: StoredReading, time: { time: number }, received: { time: number }): Record<string, LogicalValue> {
  return { time, seq: r.seq, boot: r.boot, 'time source': r.tsSource, received };
}

const NO_FIELDS: ReadingFields = Object.freeze({});

/**
 * The fields object of a reading (iterated in JSON order); none when the text holds no object.
 * Never throws: sinks refuse such a row before layout (gateway/sinks/row-check.ts), the live feed
 * shows it without fields.
 */
function parseFields(text: string): ReadingFields {
  const parsed = fieldsOf<unknown>(text);
  for (const _ in parsed) return parsed;
  return NO_FIELDS;
}

/** A value as its field rule shows it: a number calibrated; anything else as it is. */
function shownValue(rule: Parameters<typeof calibrate>[0], v: unknown): LogicalValue {
  return typeof v === 'number' ? calibrate(rule, v) : cellValue(v);
}

function cellValue(v: unknown): LogicalValue {
  return isScalar(v) ? v : JSON.stringify(v);
}

function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}
