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
