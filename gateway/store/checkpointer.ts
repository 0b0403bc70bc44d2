import type { TimerHandle, Timers } from '../time/timers.js';
import type { Db } from './database.js';

/** WAL bytes after which the committing connection checkpoints by itself when another one is in charge (64 MB). */
export const FALLBACK_AUTOCHECKPOINT_BYTES = 64 * 1024 * 1024;

/** Where the checkpointer reports a failure and its end (the gateway's logger fits). */
export interface CheckpointLog {
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
}

export interface CheckpointResult {
  /** 1 when another checkpoint was running (this one did nothing). */
  busy: number;
  /** Frames in the WAL. */
  log: number;
  /** Frames copied into the database file so far. */
  checkpointed: number;
}

/**
 * Copies the WAL into the database file every `intervalMs` from a connection that does not commit
 * readings (the sync thread's). SQLite otherwise checkpoints inside the commit that takes the WAL
 * past 4 MB (1,000 pages of 4 KB): that commit, on the ingest event loop, then writes and fsyncs them
 * before any board hears its ACK, every few dozen commits at 20,000 readings a second. PASSIVE
 * never waits for a writer and never holds one up; a page that many commits rewrote (a board's
 * index page) is copied once per interval instead of once per 4 MB of WAL. The committing
 * connections keep an automatic checkpoint at FALLBACK_AUTOCHECKPOINT_BYTES, for when this one
 * falls behind or is gone (a sync thread that could not start).
 */
export class Checkpointer {
  private timer: TimerHandle | null = null;
  private failing = false;

  constructor(
    private readonly db: Db,
    private readonly timers: Timers,
    private readonly intervalMs: number,
    private readonly log: CheckpointLog,
  ) {}

  start(): void {
    if (this.timer !== null) return;
    this.timer = this.timers.after(this.intervalMs, () => {
      this.timer = null;
      this.run();
      this.start();
    });
  }

  /** One PASSIVE checkpoint; never throws (a full disk refuses it: the WAL keeps every row). */
  run(): CheckpointResult | null {
    try {
      const [result] = this.db.pragma('wal_checkpoint(PASSIVE)') as CheckpointResult[];
      if (this.failing) this.log.info({ part: 'store' }, 'WAL checkpoints work again');
      this.failing = false;
      return result ?? null;
    } catch (e) {
      if (!this.failing) this.log.warn({ part: 'store', err: String(e) }, 'WAL checkpoint failed; the WAL keeps every committed row, retried every interval');
      this.failing = true;
      return null;
    }
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
  }
}
