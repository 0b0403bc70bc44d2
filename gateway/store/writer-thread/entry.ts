import { workerData, type MessagePort } from 'node:worker_threads';
import { BatchWriter } from '../batch-writer.js';
import { openDatabase } from '../database.js';
import { decodeOps, encodeOutcomes } from './codec.js';
import type { FromWriter, ToWriter, WriterInit } from './messages.js';

/*
 * The writer thread (started by client.ts): its own SQLite connection and a BatchWriter, so the
 * group commit's transaction, statements and fsync run beside the ingest event loop instead of on
 * it. Batches are applied strictly in the order they arrive; each reply goes out after COMMIT
 * returned, and only a reply makes the ingest side send ACKs.
 */
const { db: options, signal, port } = workerData as WriterInit & { port: MessagePort };
const bell = new Int32Array(signal);

function post(m: FromWriter): void {
  port.postMessage(m);
  Atomics.add(bell, 0, 1);
  Atomics.notify(bell, 0);
}

let writer: BatchWriter | null = null;
let db: ReturnType<typeof openDatabase> | null = null;
try {
  db = openDatabase(options);
  writer = new BatchWriter(db);
} catch (e) {
  post({ type: 'fatal', error: e instanceof Error ? e.message : String(e) });
}

port.on('message', (m: ToWriter) => {
  if (m.type === 'close') {
    if (db?.open) db.close();
    post({ type: 'closed' });
    port.close();
    return;
  }
  if (writer === null) {
    post({ type: 'failed', id: m.id, error: 'the writer thread could not open the database' });
    return;
  }
  const started = performance.now();
  try {
    const outcomes = writer.apply(decodeOps(m.ops), m.now);
    const durationMs = performance.now() - started;
    post({ type: 'done', id: m.id, outcomes: encodeOutcomes(outcomes), highestId: writer.highestId, durationMs });
  } catch (e) {
    post({ type: 'failed', id: m.id, error: e instanceof Error ? e.message : String(e) });
  }
});
