import type { SinkStateSpec } from '../../store/sink-state/port.js';

/**
 * The Sheets sink's own tables (docs/SHEETS.md, "Exactly once"), created through the store's
 * state port (gateway/store/sink-state/): per sink the spreadsheet in use, the highest reading id
 * known to be on the sheet and the highest with rows reserved; the tabs the gateway owns with
 * their first unreserved row; and the reservations themselves (which readings go to which rows),
 * recorded before each write. Queries: bookkeeping.ts.
 *
 * Migrations are applied in order and recorded by name; never edit one that has shipped, add one.
 */
export const SHEETS_STATE: SinkStateSpec = {
  owner: 'google-sheets',
  tables: ['sheet_sinks', 'sheet_tabs', 'sheet_reservations'],
  migrations: [
    {
      name: '1-bookkeeping',
      // IF NOT EXISTS: databases from before sinks owned their state got these very tables from
      // the store's schema 2; this migration adopts them with their rows.
      sql: `
        CREATE TABLE IF NOT EXISTS sheet_sinks (
          sink TEXT PRIMARY KEY,
          spreadsheet_id TEXT NOT NULL,
          delivered_through INTEGER NOT NULL DEFAULT 0,
          planned_through INTEGER NOT NULL DEFAULT 0,
          updated_at INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS sheet_tabs (
          sink TEXT NOT NULL,
          spreadsheet_id TEXT NOT NULL,
          tab_key TEXT NOT NULL,
          part INTEGER NOT NULL,
          title TEXT NOT NULL,
          sheet_id INTEGER NOT NULL,
          columns TEXT NOT NULL,
          next_row INTEGER NOT NULL,
          grid_rows INTEGER NOT NULL,
          grid_cols INTEGER NOT NULL,
          sealed INTEGER NOT NULL DEFAULT 0,
          PRIMARY KEY (sink, spreadsheet_id, tab_key, part)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS sheet_reservations (
          sink TEXT NOT NULL,
          spreadsheet_id TEXT NOT NULL,
          tab_key TEXT NOT NULL,
          part INTEGER NOT NULL,
          first_id INTEGER NOT NULL,
          last_id INTEGER NOT NULL,
          start_row INTEGER NOT NULL,
          columns TEXT NOT NULL,
          write_header INTEGER NOT NULL,
          PRIMARY KEY (sink, spreadsheet_id, tab_key, part)
        ) WITHOUT ROWID;
      `,
    },
  ],
};
