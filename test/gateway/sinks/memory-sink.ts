import type { StoredReading } from '../../../gateway/store/readings.js';
import type { Sink, SinkBatch, SinkHealth, WriteOutcome } from '../../../gateway/sinks/contract.js';
import { writablePrefix } from '../../../gateway/sinks/row-check.js';

/**
 * A sink in memory: the reference implementation of the Sink contract, and a scriptable one for
 * the worker's tests. Rows are kept per reading id; a reading offered again is not added twice.
 * `script` decides each write's fate before it happens:
 *   - undefined: apply and confirm
 *   - an outcome: return it without applying
 *   - 'apply-then-lose': apply, then answer retry-later UNAVAILABLE (the answer was lost)
 *   - a promise: wait for it first (to hold a write in flight)
 */
export type Script = WriteOutcome | 'apply-then-lose' | Promise<void> | undefined;

export class MemorySink implements Sink {
  readonly rows: StoredReading[] = [];
  readonly batches: number[][] = [];
  script: (batch: SinkBatch) => Script = () => undefined;
  started = 0;
  closed = 0;

  constructor(readonly name = 'memory') {}

  describe(): string {
    return `memory:${this.name}`;
  }

  async start(): Promise<void> {
    this.started++;
  }

  async health(): Promise<SinkHealth> {
    return { ok: true, detail: `${this.rows.length} rows in memory` };
  }

  async write(batch: SinkBatch): Promise<WriteOutcome> {
    this.batches.push(batch.rows.map((r) => r.id));
    let s = this.script(batch);
    if (s instanceof Promise) {
      await s;
      s = undefined;
    }
    if (s !== undefined && s !== 'apply-then-lose') return s;
    // Like every sink: a row no table can hold ends the batch (gateway/sinks/row-check.ts).
    const writable = writablePrefix(batch.rows);
    if ('outcome' in writable) return writable.outcome;
    const last = this.rows[this.rows.length - 1]?.id ?? 0;
    for (const r of writable.rows) if (r.id > last) this.rows.push(r);
    if (s === 'apply-then-lose') return { kind: 'retry-later', code: 'UNAVAILABLE', reason: 'answer lost' };
    return { kind: 'delivered', throughId: (writable.rows[writable.rows.length - 1] as StoredReading).id };
  }

  async close(): Promise<void> {
    this.closed++;
  }

  ids(): number[] {
    return this.rows.map((r) => r.id);
  }
}
