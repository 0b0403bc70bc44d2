/**
 * The port through which a sink keeps its own state in the store's SQLite file. A sink declares
 * its tables and the named migrations that create and change them (next to the sink, never in
 * store/schema.ts); the store applies those not yet applied and hands back a handle that reaches
 * only those tables. Sinks never receive the raw database.
 */

/** One step of a sink's schema. Applied once, in the order listed; never edited once shipped. */
export interface StateMigration {
  /** Unique within the owner, recorded in `sink_migrations` when applied (e.g. "1-tables"). */
  name: string;
  sql: string;
}

export interface SinkStateSpec {
  /** The kind of sink that owns the tables ("google-sheets"); instances share them by a key column. */
  owner: string;
  /** The tables it owns: its migrations create them, and its handle may name no others. */
  tables: readonly string[];
  migrations: readonly StateMigration[];
}

export type SqlValue = string | number | bigint | null | Buffer;

/** A sink's handle on its own tables. Statements are prepared once and kept. */
export interface SinkState {
  run(sql: string, ...params: SqlValue[]): void;
  get<T>(sql: string, ...params: SqlValue[]): T | undefined;
  all<T>(sql: string, ...params: SqlValue[]): T[];
  /**
   * Runs `fn` in one transaction that takes the write lock when it begins (BEGIN IMMEDIATE: the
   * ingest connection writes concurrently, and a lock upgrade mid-transaction could fail). A call
   * inside another joins it (a savepoint).
   */
  transaction<T>(fn: () => T): T;
}

/** What the store gives the sinks (gateway/sinks/contract.ts, SinkDeps.state). */
export interface SinkStateStore {
  /**
   * Applies the owner's migrations not applied yet (in one transaction) and returns its handle.
   * Throws STORE_TOO_NEW when the file records a migration of the owner that this sheetlog does
   * not know (a newer version wrote it).
   */
  open(spec: SinkStateSpec): SinkState;
}
