import type { StoredReading } from '../../../gateway/store/readings.js';
import type { SyncStore } from '../../../gateway/sync/worker.js';
import { readings } from '../sinks/readings.js';

/** The part of the store the worker uses, in memory. */
export class FakeStore implements SyncStore {
  rowsById: StoredReading[] = [];
  readonly cursorMap = new Map<string, number>();
  readonly advances: [string, number][] = [];
  readonly readings = {
    after: (afterId: number, limit: number) => this.rowsById.filter((r) => r.id > afterId).slice(0, limit),
    // The same contract as ReadingsQueries.within: the first row always, then up to maxBytes.
    within: (afterId: number, limit: number, maxBytes: number, overheadBytes: number) => {
      const rows = this.readings.after(afterId, limit);
      let bytes = 0;
      for (let i = 0; i < rows.length; i++) {
        bytes += (rows[i] as StoredReading).fields.length + overheadBytes;
        if (bytes > maxBytes && i > 0) return { rows: rows.slice(0, i), cut: true };
      }
      return { rows, cut: rows.length >= limit };
    },
  };
  readonly cursors = { get: (sink: string) => this.cursorMap.get(sink) ?? 0 };

  /** Quarantined rows per sink, and ids each sink must pass over. */
  readonly held: { sink: string; row: StoredReading; code: string; reason: string }[] = [];
  readonly skips = new Map<string, Set<number>>();
  readonly quarantine = {
    skipped: (sink: string, fromId: number, toId: number) => new Set([...(this.skips.get(sink) ?? [])].filter((id) => id >= fromId && id <= toId)),
    counts: (sink: string) => {
      const byDevice: Record<string, number> = {};
      for (const h of this.held) if (h.sink === sink) byDevice[h.row.device] = (byDevice[h.row.device] ?? 0) + 1;
      return { rows: Object.values(byDevice).reduce((a, b) => a + b, 0), byDevice };
    },
  };

  quarantineRow(sink: string, row: StoredReading, code: string, reason: string): void {
    this.held.push({ sink, row, code, reason });
    this.advanceCursor(sink, row.id);
  }

  add(n: number): void {
    this.rowsById.push(...readings(n, this.highestId + 1));
  }

  advanceCursor(sink: string, lastId: number): void {
    this.advances.push([sink, lastId]);
    this.cursorMap.set(sink, Math.max(this.cursors.get(sink), lastId));
  }

  get highestId(): number {
    return this.rowsById[this.rowsById.length - 1]?.id ?? 0;
  }
}
