import type { Outcome } from '../batch-writer.js';
import type { StatsDelta, TsSource, WriteOp } from '../ops.js';

/*
 * How a batch of write operations crosses to the writer thread: ONE flat array of primitives per
 * batch (a tag, then the operation's fields in a fixed order), so structured clone walks one array
 * instead of two objects per reading, and the `done` callbacks stay on the ingest side anyway.
 * Outcomes come back as one byte per operation. A transferable ArrayBuffer or a SharedArrayBuffer
 * ring (no clone at all, but UTF-8 encoding of every string) is the alternative; it has not been
 * measured against this yet (docs/BENCHMARKS.md). Pure functions: tested without a thread.
 */

const READING = 0;
const REGISTER = 1;
const STATS = 2;

const TS_SOURCES: readonly TsSource[] = ['device', 'uptime', 'gateway'];

export type EncodedBatch = (string | number | boolean | null | StatsDelta)[];

export function encodeOps(ops: readonly WriteOp[]): EncodedBatch {
  // Sized up front and filled by index: the ingest thread encodes every reading, so no growing
  // array and no spread arguments here (a CPU profile showed both).
  let size = 0;
  for (const op of ops) size += op.kind === 'reading' ? 11 : op.kind === 'register' ? 5 : 3;
  const out: EncodedBatch = new Array(size);
  let i = 0;
  for (const op of ops) {
    if (op.kind === 'reading') {
      const r = op.row;
      out[i] = READING;
      out[i + 1] = r.device;
      out[i + 2] = r.boot;
      out[i + 3] = r.seq;
      out[i + 4] = r.ts;
      out[i + 5] = r.tsSource === 'device' ? 0 : r.tsSource === 'uptime' ? 1 : 2;
      out[i + 6] = r.deviceTs;
      out[i + 7] = r.received;
      out[i + 8] = r.fields;
      out[i + 9] = r.bytes;
      out[i + 10] = r.clockUntrusted;
      i += 11;
    } else if (op.kind === 'register') {
      out[i] = REGISTER;
      out[i + 1] = op.device;
      out[i + 2] = op.token;
      out[i + 3] = op.origin;
      out[i + 4] = op.at;
      i += 5;
    } else {
      out[i] = STATS;
      out[i + 1] = op.device;
      out[i + 2] = op.delta;
      i += 3;
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

const OUTCOMES: readonly Outcome[] = [null, 'stored', 'duplicate', 'failed', 'registered', 'accepted', 'conflict', 'revoked', 'gaps'];

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
