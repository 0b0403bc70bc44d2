/**
 * Schema migrations, applied in order; `PRAGMA user_version` records the last one applied.
 * Never edit a migration that has shipped: add a new one.
 */
export const MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        token_salt BLOB,
        token_hash BLOB,
        origin TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER,
        board TEXT,
        fw TEXT,
        last_seen INTEGER,
        readings INTEGER NOT NULL DEFAULT 0,
        duplicates INTEGER NOT NULL DEFAULT 0,
        bytes INTEGER NOT NULL DEFAULT 0,
        connects INTEGER NOT NULL DEFAULT 0,
        connected_ms INTEGER NOT NULL DEFAULT 0,
        clock_untrusted INTEGER NOT NULL DEFAULT 0,
        clock_offset_ms INTEGER,
        clock_rtt_ms INTEGER,
        clock_drift_ppm REAL,
        clock_at INTEGER
      );
      CREATE TABLE device_errors (
        device TEXT NOT NULL,
        code TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (device, code)
      ) WITHOUT ROWID;
      CREATE TABLE boots (
        device TEXT NOT NULL,
        boot INTEGER NOT NULL,
        max_seq INTEGER NOT NULL DEFAULT 0,
        pruned_seq INTEGER NOT NULL DEFAULT 0,
        first_seen INTEGER NOT NULL,
        PRIMARY KEY (device, boot)
      ) WITHOUT ROWID;
      CREATE TABLE readings (
        id INTEGER PRIMARY KEY,
        device TEXT NOT NULL,
        boot INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        ts INTEGER NOT NULL,
        ts_source TEXT NOT NULL,
        device_ts INTEGER,
        received INTEGER NOT NULL,
        fields TEXT NOT NULL,
        bytes INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX readings_key ON readings (device, boot, seq);
      CREATE TABLE sink_cursors (
        sink TEXT PRIMARY KEY,
        last_id INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
  {
    version: 2,
    // Was the Google Sheets sink's bookkeeping (sheet_sinks, sheet_tabs, sheet_reservations).
    // Sinks own their state now: the tables are created by the sink's own migration
    // (gateway/sinks/google-sheets/state.ts) through the state port (store/sink-state/), which
    // adopts them as they are in databases this migration ran on. Kept, empty, so the numbering
    // and the history of existing databases stay valid.
    sql: '',
  },
  {
    version: 3,
    // Quarantine (dead-letter) of rows a sink cannot write (gateway/store/quarantine.ts,
    // docs/SHEETS.md "Sink errors and quarantine"). An entry keeps a copy of what the reading was,
    // so the record outlives the reading; `state` is held (waiting for a person), retried (given
    // back to the sink under a new id) or dropped (given up for good). sink_skips lists readings
    // a sink must pass over: a retried reading gets a new id above every cursor, and the sinks
    // that already hold it must not write it again.
    sql: `
      CREATE TABLE quarantine (
        id INTEGER PRIMARY KEY,
        sink TEXT NOT NULL,
        reading_id INTEGER NOT NULL,
        device TEXT NOT NULL,
        boot INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        ts INTEGER NOT NULL,
        received INTEGER NOT NULL,
        fields TEXT NOT NULL,
        code TEXT NOT NULL,
        reason TEXT NOT NULL,
        at INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'held',
        settled_at INTEGER
      );
      CREATE INDEX quarantine_by_sink ON quarantine (sink, state, device);
      CREATE INDEX quarantine_by_reading ON quarantine (reading_id, state);
      CREATE TABLE sink_skips (
        reading_id INTEGER NOT NULL,
        sink TEXT NOT NULL,
        PRIMARY KEY (reading_id, sink)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 4,
    // What the boards report about their own health in HELLO (docs/PROTOCOL.md): why the board
    // last (re)started (reset=: power, watchdog, software, pin, ...) and how many samples it could
    // not take on time during its current boot (missed=). The latest report wins.
    sql: `
      ALTER TABLE devices ADD COLUMN reset_cause TEXT;
      ALTER TABLE devices ADD COLUMN missed_samples INTEGER;
    `,
  },
  {
    version: 6,
    // Device figures as a person reads them (docs/API.md, "Devices"): the board's clock error
    // against the gateway from its last `T ... off=` report, and the running session (how many
    // sessions are open and since when: connected time and status include it, also for the CLI,
    // which reads this file from another process).
    sql: `
      ALTER TABLE devices ADD COLUMN clock_error_ms INTEGER;
      ALTER TABLE devices ADD COLUMN sessions_open INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE devices ADD COLUMN connected_since INTEGER;
    `,
  },
  {
    version: 8,
    // Summaries per period (gateway/summaries/, docs/SUMMARIES.md). `summary_dirty` lists the
    // (period, device, field) spans that new readings touched since they were last computed;
    // a span is computed once it is closed plus the grace, and again when a late reading lands
    // in it. `summaries` holds the computed rows; `revision` goes up whenever a row's figures
    // change, and `summary_places` records, per sink and table, the fixed place of each row and
    // the revision written there, so a repeated write rewrites the same place (exactly once).
    // `summary_progress`: per period, the highest reading id scanned for dirty spans ('bills':
    // for bills). `bills`: one row per device and billing month (the Bill object as JSON), its
    // revision going up when the figures change; placed in the sinks like summaries.
    sql: `
      CREATE INDEX readings_by_device_ts ON readings (device, ts);
      CREATE TABLE summary_progress (period TEXT PRIMARY KEY, through_id INTEGER NOT NULL);
      CREATE TABLE summary_dirty (
        period TEXT NOT NULL,
        device TEXT NOT NULL,
        field TEXT NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        PRIMARY KEY (period, device, field, start)
      ) WITHOUT ROWID;
      CREATE INDEX summary_dirty_by_end ON summary_dirty (end);
      CREATE TABLE summaries (
        id INTEGER PRIMARY KEY,
        period TEXT NOT NULL,
        device TEXT NOT NULL,
        field TEXT NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        kind TEXT NOT NULL,
        unit TEXT,
        count INTEGER NOT NULL,
        min REAL,
        max REAL,
        mean REAL,
        last REAL,
        last_ts INTEGER,
        consumption REAL,
        revision INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX summaries_key ON summaries (period, device, field, start);
      CREATE INDEX summaries_by_update ON summaries (period, updated_at);
      CREATE TABLE summary_places (
        sink TEXT NOT NULL,
        tab TEXT NOT NULL,
        summary_id INTEGER NOT NULL,
        place INTEGER NOT NULL,
        written_revision INTEGER NOT NULL DEFAULT 0,
        byte_offset INTEGER,
        PRIMARY KEY (sink, tab, summary_id)
      ) WITHOUT ROWID;
      CREATE UNIQUE INDEX summary_places_by_place ON summary_places (sink, tab, place);
      CREATE TABLE bills (
        id INTEGER PRIMARY KEY,
        device TEXT NOT NULL,
        month TEXT NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        final INTEGER NOT NULL,
        bill TEXT NOT NULL,
        revision INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX bills_key ON bills (device, month);
      CREATE INDEX bills_open ON bills (final, end);
    `,
  },
  {
    version: 9,
    // The state port's record (gateway/store/sink-state/): which named migrations of which sink
    // (owner) are applied. A sink's tables are created and changed by its own migrations, kept
    // next to the sink, never here.
    sql: `
      CREATE TABLE sink_migrations (
        owner TEXT NOT NULL,
        name TEXT NOT NULL,
        applied_at INTEGER NOT NULL,
        PRIMARY KEY (owner, name)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 10,
    // The device counters a commit adds (readings, duplicates, bytes, untrusted clocks, last
    // seen), one row per commit: [[device, readings, duplicates, bytes, untrusted, last_seen], ...].
    // Appended at the table's end, so a commit of many boards does not rewrite their `devices`
    // rows; the writer folds them into `devices` every 250 ms (store/device-totals.ts) and
    // readers add the rows not folded yet (store/devices.ts). A crash leaves them to the next fold.
    sql: `
      CREATE TABLE device_deltas (id INTEGER PRIMARY KEY, rows TEXT NOT NULL);
    `,
  },
  {
    version: 11,
    // Resends are recognised without a unique index on readings (store/seq-ledger.ts,
    // docs/OPERATIONS.md "Resends"): that index put each board's newest entries in a page of their
    // own, which every commit of many boards rewrote once per board. `boots.stored` holds each
    // boot's stored seqs as ranges ([[low, high], ...]), and meta `seq_through` the highest
    // reading id they include; the readings above it are added when a boot is read. Here the
    // ranges are computed from the readings (consecutive seqs form an island), then the index goes.
    sql: `
      ALTER TABLE boots ADD COLUMN stored TEXT;
      INSERT INTO boots (device, boot, max_seq, first_seen, stored)
        SELECT device, boot, max(high), min(first), json_group_array(json_array(low, high)) FROM (
          SELECT device, boot, min(seq) AS low, max(seq) AS high, min(received) AS first FROM (
            SELECT device, boot, seq, received, seq - row_number() OVER (PARTITION BY device, boot ORDER BY seq) AS island FROM readings
          ) GROUP BY device, boot, island
        ) WHERE true GROUP BY device, boot
      ON CONFLICT (device, boot) DO UPDATE SET stored = excluded.stored;
      INSERT INTO meta (key, value) VALUES ('seq_through', (SELECT coalesce(max(id), 0) FROM readings))
        ON CONFLICT (key) DO UPDATE SET value = excluded.value;
      DROP INDEX readings_key;
    `,
  },
  {
    version: 12,
    // A stored reading's counts (readings, bytes, last seen) are read from the reading itself
    // until the writer folds them into `devices` (store/device-totals.ts): meta `totals_through`
    // is the highest reading id `devices` includes, and `device_deltas` keeps only what a reading
    // row does not tell (duplicates, untrusted clocks). Until now every commit's counters went to
    // `device_deltas`, so `devices` and its rows count every reading there is.
    sql: `
      INSERT INTO meta (key, value) VALUES ('totals_through', (SELECT coalesce(max(id), 0) FROM readings))
        ON CONFLICT (key) DO UPDATE SET value = excluded.value;
    `,
  },
  {
    version: 13,
    // Each device's newest reading id, written by the fold with its counters (no page of its own):
    // a query of one device's readings starts there (store/recent-readings.ts) instead of stepping
    // back from the newest reading of all, which for a long-silent device was a scan of the buffer.
    sql: `
      ALTER TABLE devices ADD COLUMN last_id INTEGER;
      UPDATE devices SET last_id = newest.id FROM (SELECT device, max(id) AS id FROM readings GROUP BY device) AS newest
        WHERE newest.device = devices.id;
    `,
  },
];
