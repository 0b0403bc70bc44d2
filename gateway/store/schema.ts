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
];
