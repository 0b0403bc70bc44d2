import { join } from 'node:path';
import type { Config } from '../../config/schema.js';
import { SinkCursors } from '../../store/cursors.js';
import { openDatabase, type Db } from '../../store/database.js';
import { Quarantine } from '../../store/quarantine.js';
import { ReadingsQueries, type StoredReading } from '../../store/readings.js';
import type { Timers } from '../../time/timers.js';
import type { SyncStore } from '../worker.js';

/**
 * The sync thread's own SQLite connection: WAL lets it read batches while the main thread commits.
 * The thread owns the sinks' cursors: each advance is written here first, then reported
 * (`onAdvance`), so that the main thread's Store keeps its buffer size right without a query.
 */
export class ThreadStore implements SyncStore {
  readonly db: Db;
  readonly readings: ReadingsQueries;
  readonly cursors: SinkCursors;
  readonly quarantine: Quarantine;
  private highest: number;

  constructor(
    config: Config,
    highestId: number,
    private readonly timers: Timers,
    private readonly onAdvance: (sink: string, lastId: number) => void,
  ) {
    const s = config.store;
    this.db = openDatabase({ path: join(config.dataDir, s.file), synchronous: s.synchronous, busyTimeoutMs: s.busyTimeoutMs, pageSize: s.pageSize });
    this.readings = new ReadingsQueries(this.db);
    this.cursors = new SinkCursors(this.db);
    this.quarantine = new Quarantine(this.db);
    this.highest = Math.max(highestId, this.readings.maxId());
  }

  advanceCursor(sink: string, lastId: number): void {
    this.cursors.advance(sink, lastId, this.timers.now());
    this.onAdvance(sink, lastId);
  }

  quarantineRow(sink: string, row: StoredReading, code: string, reason: string): void {
    this.quarantine.hold(sink, row, code, reason, this.timers.now());
    this.onAdvance(sink, row.id);
  }

  /** The highest reading id the main thread has committed (told with each commit notification). */
  get highestId(): number {
    return this.highest;
  }

  committed(highestId: number): void {
    if (highestId > this.highest) this.highest = highestId;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
