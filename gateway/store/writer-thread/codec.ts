import type { Outcome } from '../batch-writer.js';
import type { StatsDelta, TsSource, WriteOp } from '../ops.js';

/*
 * How a batch of write operations crosses to the writer thread: ONE flat array of primitives per
 * batch (a tag, then the operation's fields in a fixed order), because structured clone copies a
 * flat array of strings and numbers far faster than an array of small objects, and the `done`
 * callbacks stay on the ingest side anyway. Outcomes come back as one byte per operation.
 * Pure functions: tested without a thread.
 */

const READING = 0;
const REGISTER = 1;
const STATS = 2;

const TS_SOURCES: readonly TsSource[] = ['device', 'uptime', 'gateway'];

export type EncodedBatch = (string | number | boolean | null | StatsDelta)[];

export function encodeOps(ops: readonly WriteOp[]): EncodedBatch {
  const out: EncodedBatch = [];
  for (const op of ops) {
    if (op.kind === 'reading') {
      const r = op.row;
      out.push(READING, r.device, r.boot, r.seq, r.ts, TS_SOURCES.indexOf(r.tsSource), r.deviceTs, r.received, r.fields, r.bytes, r.clockUntrusted);
    } else if (op.kind === 'register') {
      out.push(REGISTER, op.device, op.token, op.origin, op.at);
    } else {
      out.push(STATS, op.device, op.delta);
    }
  }
  return out;
}

const ignore = (): void => {};

/** The operations again, with no-op callbacks (the writer thread reports outcomes by position). */
export function decodeOps(batch: EncodedBatch): WriteOp[] {
  const ops: WriteOp[] = [];
  let i = 0;
  while (i < batch.length) {
    const tag = batch[i++];
    if (tag === READING) {
      ops.push({
        kind: 'reading',
        row: {
          device: batch[i] as string,
          boot: batch[i + 1] as number,
          seq: batch[i + 2] as number,
          ts: batch[i + 3] as number,
          tsSource: TS_SOURCES[batch[i + 4] as number] as TsSource,
          deviceTs: batch[i + 5] as number | null,
          received: batch[i + 6] as number,
          fields: batch[i + 7] as string,
          bytes: batch[i + 8] as number,
          clockUntrusted: batch[i + 9] as boolean,
        },
        done: ignore,
      });
      i += 10;
    } else if (tag === REGISTER) {
      ops.push({ kind: 'register', device: batch[i] as string, token: batch[i + 1] as string, origin: batch[i + 2] as 'tofu' | 'open', at: batch[i + 3] as number, done: ignore });
      i += 4;
    } else if (tag === STATS) {
      ops.push({ kind: 'stats', device: batch[i] as string, delta: batch[i + 1] as StatsDelta });
      i += 2;
    } else {
      throw new Error(`writer thread: unknown operation tag ${String(tag)} at ${i - 1}`);
    }
  }
  return ops;
}

const OUTCOMES: readonly Outcome[] = [null, 'stored', 'duplicate', 'failed', 'registered', 'accepted', 'conflict', 'revoked'];

export function encodeOutcomes(outcomes: readonly Outcome[]): Uint8Array {
  const out = new Uint8Array(outcomes.length);
  for (let i = 0; i < outcomes.length; i++) out[i] = OUTCOMES.indexOf(outcomes[i] ?? null);
  return out;
}

export function decodeOutcomes(codes: Uint8Array): Outcome[] {
  const out = new Array<Outcome>(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = OUTCOMES[codes[i] as number] ?? null;
  return out;
}
