import { join } from 'node:path';
import type { Timers } from '../time/timers.js';
import { BatchWriter } from './batch-writer.js';
import { FALLBACK_AUTOCHECKPOINT_BYTES } from './checkpointer.js';
import { InProcessWriter, type CommitBackend } from './commit-backend.js';
import { SinkCursors } from './cursors.js';
import { openDatabase, type Db, type Synchronous } from './database.js';
import { DeviceTotals } from './device-totals.js';
import { DeviceRegistry } from './devices.js';
import { BOOT_SEQ_INDEX, DEVICE_TIME_INDEX, keepBootSeqIndex, keepDeviceTimeIndex, type IndexChange } from './readings-indexes.js';
import { isDiskFull, type DiskFullState } from './disk-full.js';
import { GroupCommitter, type GroupCommitEvents } from './group-commit.js';
import { Quarantine } from './quarantine.js';
import { ReadingsQueries, type StoredReading } from './readings.js';
import { Retention } from './retention.js';
import { ThreadedWriter } from './writer-thread/client.js';

export interface StoreSettings {
  file: string;
  synchronous: Synchronous;
  busyTimeoutMs: number;
  /** The page size of a file the store creates; a file that exists keeps its own. Absent: 4,096. */
  pageSize?: number;
  commitDelayMs: number;
  commitMaxRows: number;
  maxBufferRows: number;
  retentionHours: number;
  /**
   * Commit in the writer thread (its own connection) instead of on the calling event loop.
   * Absent: in process (the store's own tests, the CLI).
   */
  writerThread?: boolean;
  /** While the disk is full, how long boards are held off before the next commit tries again. */
  busyRetryAfterMs?: number;
  /**
   * Whether the (device, time) index is kept (summaries or bills read by it; readings-indexes.ts):
   * created or dropped at open. Absent: left as it is (the store's own tests).
   */
  deviceTimeIndex?: boolean;
  /**
   * Whether the (device, boot, seq) index is kept (the counter guard reads by it; readings-indexes.ts):
   * created or dropped at open. Absent: left as it is.
   */
  bootSeqIndex?: boolean;
  /**
   * Another connection checkpoints the WAL on a timer (the sync thread, checkpointer.ts): this
   * store's committing connections checkpoint only past FALLBACK_AUTOCHECKPOINT_BYTES. Absent:
   * a checkpoint inside the commit that takes the WAL past DEFAULT_AUTOCHECKPOINT_BYTES.
   */
  checkpointedElsewhere?: boolean;
}

/**
 * The durable store: SQLite plus the group committer in front of it. One instance per gateway;
 * the CLI opens the same file with `openDatabase` and the small query classes directly.
 */
export class Store {
  readonly devices: DeviceRegistry;
  readonly readings: ReadingsQueries;
  readonly cursors: SinkCursors;
  readonly quarantine: Quarantine;
  readonly committer: GroupCommitter;
  private readonly writer: CommitBackend;
  private readonly retention: Retention;
  /** The cursor of each sink holding rows in the buffer, as last read or reported. */
  private sinkCursors = new Map<string, number>();
  private minCursor: number | null = null;
  private closed = false;
  /** Set when a commit failed with the disk full; cleared by the next commit of readings that succeeds. */
  private full: DiskFullState | null = null;

  constructor(
    readonly db: Db,
    private readonly settings: StoreSettings,
    private readonly timers: Timers,
    events: GroupCommitEvents = {},
  ) {
    this.devices = new DeviceRegistry(db);
    const inProcess = settings.writerThread === true ? null : new BatchWriter(db);
    this.cursors = new SinkCursors(db);
    this.quarantine = new Quarantine(db);
    this.writer = inProcess === null
      ? new ThreadedWriter({ path: db.name, synchronous: settings.synchronous, busyTimeoutMs: settings.busyTimeoutMs, ...autocheckpoint(settings) }, maxReadingId(db))
      : new InProcessWriter(inProcess);
    // Committing on this thread, the writer's ledger answers a boot's seqs from memory.
    this.readings = new ReadingsQueries(db, inProcess?.ledger);
    this.retention = new Retention(db);
    this.committer = new GroupCommitter(this.writer, timers, { delayMs: settings.commitDelayMs, maxOps: settings.commitMaxRows }, {
      committed: (report) => {
        // Only a commit that carried readings shows there is room for them again: a small one of
        // statistics alone can fit in the pages the database already has.
        if (report.stored + report.duplicates > 0) this.full = null;
        events.committed?.(report);
      },
      failed: (error, ops, diskFull) => {
        if (diskFull) {
          const now = this.timers.now();
          this.full = { since: this.full?.since ?? now, lastAt: now, error: error instanceof Error ? error.message : String(error) };
        }
        events.failed?.(error, ops, diskFull);
      },
    });
  }

  /** What opening did to the optional indexes (StoreSettings.deviceTimeIndex, bootSeqIndex), for the log. */
  indexChanges: { index: string; change: Exclude<IndexChange, null>; ms: number }[] = [];

  static open(dataDir: string, settings: StoreSettings, timers: Timers, events?: GroupCommitEvents): Store {
    const db = openDatabase({ path: join(dataDir, settings.file), synchronous: settings.synchronous, busyTimeoutMs: settings.busyTimeoutMs, pageSize: settings.pageSize, ...autocheckpoint(settings) });
    const changes: Store['indexChanges'] = [];
    const keep = (index: string, wanted: boolean | undefined, apply: (db: Db, wanted: boolean) => IndexChange) => {
      if (wanted === undefined) return;
      const started = performance.now();
      const change = apply(db, wanted);
      if (change !== null) changes.push({ index, change, ms: performance.now() - started });
    };
    try {
      keep(DEVICE_TIME_INDEX, settings.deviceTimeIndex, keepDeviceTimeIndex);
      keep(BOOT_SEQ_INDEX, settings.bootSeqIndex, keepBootSeqIndex);
    } catch (e) {
      db.close();
      throw e;
    }
    const store = new Store(db, settings, timers, events);
    store.indexChanges = changes;
    store.devices.endAllSessions();
    return store;
  }

  /** Names the sinks whose cursors hold rows in the buffer (the sync side calls this at start). */
  useSinks(names: readonly string[]): void {
    this.sinkCursors = new Map(names.map((n) => [n, this.cursors.get(n)]));
    this.updateMinCursor();
  }

  advanceCursor(sink: string, lastId: number): void {
    this.cursors.advance(sink, lastId, this.timers.now());
    this.useSinks([...this.sinkCursors.keys()]);
  }

  /** A sink cannot write `row`: it goes to the quarantine and the cursor past it (one transaction). */
  quarantineRow(sink: string, row: StoredReading, code: string, reason: string): void {
    this.quarantine.hold(sink, row, code, reason, this.timers.now());
    this.useSinks([...this.sinkCursors.keys()]);
  }

  /**
   * The sync thread advanced a sink's cursor in SQLite through its own connection: take note
   * without reading the database (it runs on the ingest event loop).
   */
  cursorAdvanced(sink: string, lastId: number): void {
    const known = this.sinkCursors.get(sink);
    if (known === undefined || lastId <= known) return;
    this.sinkCursors.set(sink, lastId);
    this.updateMinCursor();
  }

  private updateMinCursor(): void {
    this.minCursor = this.sinkCursors.size === 0 ? null : Math.min(...this.sinkCursors.values());
  }

  /** Rows stored but not yet delivered to every sink (0 with no sinks). */
  bufferedRows(): number {
    return this.minCursor === null ? 0 : Math.max(0, this.writer.highestId - this.minCursor);
  }

  /**
   * Whether boards must be refused with BUSY: the buffer is at its limit, or the disk was full at
   * the last commit less than the retry-after time ago (after that, the next readings try again:
   * they are the probe that finds space freed).
   */
  isFull(): boolean {
    return this.fullReason() !== null;
  }

  /** Why boards are refused with BUSY, or null while the store takes readings. */
  fullReason(): 'buffer' | 'disk' | null {
    if (this.full !== null && this.timers.now() - this.full.lastAt < (this.settings.busyRetryAfterMs ?? 5_000)) return 'disk';
    return this.bufferedRows() >= this.settings.maxBufferRows ? 'buffer' : null;
  }

  /** The disk-full state (since the first failed commit, until a commit succeeds), or null. */
  diskFull(): DiskFullState | null {
    return this.full === null ? null : { ...this.full };
  }

  get highestId(): number {
    return this.writer.highestId;
  }

  /** Applies retention: delivered rows older than the retention period are deleted, all at once. */
  prune(): number {
    return this.retention.prune(...this.pruneBounds());
  }

  /** One short transaction of retention (store/retention.ts); `more`: call again soon. */
  pruneStep(): { deleted: number; more: boolean } {
    return this.retention.pruneChunk(...this.pruneBounds());
  }

  /** What retention may delete: up to the lowest sink cursor, received before the retention period. */
  private pruneBounds(): [deliveredId: number, olderThan: number] {
    return [this.minCursor ?? this.writer.highestId, this.timers.now() - this.settings.retentionHours * 3_600_000];
  }

  /** Commits what is queued and closes the database. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.committer.close();
    this.writer.close();
    try {
      // A clean stop leaves `devices` with every count in it (readers add what waits anyway).
      this.db.transaction(() => new DeviceTotals(this.db).foldStored()).immediate();
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch (e) {
      // A full disk can refuse the checkpoint; the WAL keeps every committed row and SQLite
      // replays it at the next open. Not a reason to fail the shutdown.
      if (!isDiskFull(e)) throw e;
    }
    this.db.close();
  }
}

function autocheckpoint(settings: StoreSettings): { autocheckpointBytes?: number } {
  return settings.checkpointedElsewhere === true ? { autocheckpointBytes: FALLBACK_AUTOCHECKPOINT_BYTES } : {};
}

function maxReadingId(db: Db): number {
  return (db.prepare('SELECT max(id) AS id FROM readings').get() as { id: number | null }).id ?? 0;
}
