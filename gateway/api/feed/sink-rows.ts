import type { FieldRules } from '../../fields/rules.js';
import type { Config } from '../../config/schema.js';
import { chooseSinks } from '../../sinks/create.js';
import { DEVICE_FIXED_COLUMNS, LONG_COLUMNS, layoutRows, rowValues, type Layout, type LogicalValue } from '../../sinks/layout.js';
import { systemTimeZone, ZoneClock } from '../../time/time-zone.js';
import type { StoredReading } from '../../store/readings.js';
import type { Cell, SheetRowEncoder } from './sheet-rows.js';

/**
 * The live tail's rows, built by the sinks' own layout code (gateway/sinks/layout.ts), so the
 * dashboard shows the rows the first configured sink writes: the same columns and values, times
 * as the sheet or the CSV file shows them ("YYYY-MM-DD HH:MM:SS.mmm" in the sink's time zone).
 */
export function sinkRowEncoder(layout: Layout, zone: ZoneClock, rules: FieldRules | null = null): SheetRowEncoder {
  const render = (v: LogicalValue): Cell => (v === null ? '' : typeof v === 'object' ? zone.text(v.time) : v);
  if (layout === 'long') {
    return {
      header: LONG_COLUMNS,
      encode: (r: StoredReading) => rowsOf(layout, r, rules).map(({ row }) => rowValues(LONG_COLUMNS, row).map(render)),
    };
  }
  // A tab per device, a column per field: the tail names the tab and lists the field columns.
  return {
    header: ['tab', ...DEVICE_FIXED_COLUMNS, 'fields'],
    encode: (r: StoredReading) =>
      rowsOf(layout, r, rules).map(({ tab, columns, row }) => {
        const fields = columns.filter((c) => !DEVICE_FIXED_COLUMNS.includes(c)).map((c) => `${c}=${String(render(row.cells[c] ?? null))}`);
        return [tab, ...rowValues(DEVICE_FIXED_COLUMNS, row).map(render), fields.join(' ')];
      }),
  };
}

function rowsOf(layout: Layout, r: StoredReading, rules: FieldRules | null) {
  return layoutRows(layout, [r], rules).flatMap((block) => block.rows.map((row) => ({ tab: block.tabKey, columns: block.columns, row })));
}

/**
 * The encoder of the first sink the configuration runs. A spreadsheet left on its own time zone
 * (`sheets.timeZone: ""`) is shown in the gateway machine's zone.
 */
export function sinkRowEncoderFor(config: Config, rules: FieldRules | null = null): SheetRowEncoder {
  const first = chooseSinks(config)[0] ?? 'csv';
  if (first === 'google-sheets') return sinkRowEncoder(config.sheets.layout, new ZoneClock(config.sheets.timeZone || systemTimeZone()), rules);
  return sinkRowEncoder(config.csv.layout, new ZoneClock(config.csv.timeZone || systemTimeZone()), rules);
}
