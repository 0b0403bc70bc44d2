import type { Statement } from 'better-sqlite3';
import type { Db } from '../database.js';
import { StoreError } from '../errors.js';
import type { SinkState, SinkStateSpec, SinkStateStore, SqlValue, StateMigration } from './port.js';
import { outOfScope } from './scope.js';

/**
 * The SinkStateStore over one SQLite connection (the sync thread's, or the main thread's when
 * sinks run in process). Which migrations of which owner are applied is recorded in
 * `sink_migrations` (store schema 9), beside the store's own `PRAGMA user_version`.
 */
export class SqliteSinkStateStore implements SinkStateStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  open(spec: SinkStateSpec): SinkState {
    checkSpec(spec);
    this.db
      .transaction(() => {
        const applied = new Set(
          (this.db.prepare('SELECT name FROM sink_migrations WHERE owner = ?').all(spec.owner) as { name: string }[]).map((r) => r.name),
        );
        const unknown = [...applied].filter((n) => !spec.migrations.some((m) => m.name === n));
        if (unknown.length > 0) {
          throw new StoreError('STORE_TOO_NEW', `the database has ${spec.owner} state (${unknown.join(', ')}) from a newer sheetlog: upgrade sheetlog`);
        }
        const record = this.db.prepare('INSERT INTO sink_migrations (owner, name, applied_at) VALUES (?, ?, ?)');
        for (const m of spec.migrations) {
          if (applied.has(m.name)) continue;
          this.db.exec(m.sql);
          record.run(spec.owner, m.name, this.now());
        }
      })
      .immediate();
    return new ScopedState(this.db, spec);
  }
}

/** A sink's handle: statements checked against its tables once, then prepared and kept. */
class ScopedState implements SinkState {
  private readonly statements = new Map<string, Statement>();

  constructor(
    private readonly db: Db,
    private readonly spec: SinkStateSpec,
  ) {}

  run(sql: string, ...params: SqlValue[]): void {
    this.statement(sql).run(...params);
  }

  get<T>(sql: string, ...params: SqlValue[]): T | undefined {
    return this.statement(sql).get(...params) as T | undefined;
  }

  all<T>(sql: string, ...params: SqlValue[]): T[] {
    return this.statement(sql).all(...params) as T[];
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  private statement(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) {
      refuseOutOfScope(this.spec, sql);
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }
}

function checkSpec(spec: SinkStateSpec): void {
  if (spec.owner === '') throw new Error('a sink state needs an owner');
  const names = new Set<string>();
  for (const m of spec.migrations) {
    if (names.has(m.name)) throw new Error(`${spec.owner}: state migration "${m.name}" is listed twice`);
    names.add(m.name);
    refuseOutOfScope(spec, m.sql, m);
  }
}

function refuseOutOfScope(spec: SinkStateSpec, sql: string, migration?: StateMigration): void {
  const foreign = outOfScope(sql, spec.tables);
  if (foreign.length === 0) return;
  const where = migration ? `migration "${migration.name}"` : 'a statement';
  throw new Error(`${spec.owner}: ${where} names tables it does not own (${foreign.join(', ')}); its tables: ${spec.tables.join(', ')}`);
}
