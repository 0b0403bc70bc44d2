import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { spawnWorker } from '../../threads/spawn.js';
import type { BatchResult, CommitBackend } from '../commit-backend.js';
import type { OpenOptions } from '../database.js';
import type { WriteOp } from '../ops.js';
import { decodeOutcomes, encodeOps } from './codec.js';
import type { FromWriter, ToWriter, WriterInit } from './messages.js';

/** How long a synchronous drain waits for the thread before failing what is in flight. */
const DRAIN_LIMIT_MS = 120_000;

/**
 * The store's side of the writer thread. Batches are posted in order and answered in order; the
 * `done` of each runs on this event loop when its reply arrives, that is after its COMMIT. `drain`
 * (shutdown, tests, the CLI's synchronous paths) takes replies synchronously: it blocks on a shared
 * counter the thread bumps after each reply, then reads the port with receiveMessageOnPort.
 */
export class ThreadedWriter implements CommitBackend {
  private worker: Worker;
  private port: MessagePort;
  private readonly bell: Int32Array;
  private readonly waiting = new Map<number, (result: BatchResult) => void>();
  private nextId = 1;
  private highest: number;
  private fatal: string | null = null;
  private closed = false;

  constructor(
    private readonly db: OpenOptions,
    highestId: number,
  ) {
    this.highest = highestId;
    this.bell = new Int32Array(new SharedArrayBuffer(4));
    ({ worker: this.worker, port: this.port } = this.start());
  }

  /**
   * A thread and its channel. A thread that dies (not closed by us) fails what it had in flight
   * (those readings were not acknowledged: boards resend them) and is replaced, so one bad moment
   * does not refuse every later reading.
   */
  private start(): { worker: Worker; port: MessagePort } {
    const { port1, port2 } = new MessageChannel();
    const init: WriterInit & { port: MessagePort } = { db: this.db, signal: this.bell.buffer as SharedArrayBuffer, port: port2 };
    const worker = spawnWriterThread(init, [port2]);
    // The thread keeps the process alive only while batches are in flight (the port is ref'd then).
    worker.unref();
    port1.on('message', (m: FromWriter) => this.receive(m));
    port1.unref();
    worker.on('error', (e) => this.failAll(`writer thread failed: ${e.message}`));
    worker.on('exit', (code) => {
      if (this.closed || worker !== this.worker) return;
      this.failAll(`writer thread exited (${code})`);
      port1.close();
      this.fatal = null;
      ({ worker: this.worker, port: this.port } = this.start());
    });
    return { worker, port: port1 };
  }

  get busy(): boolean {
    return this.waiting.size > 0;
  }

  get highestId(): number {
    return this.highest;
  }

  submit(ops: readonly WriteOp[], now: number, done: (result: BatchResult) => void): void {
    if (this.fatal !== null || this.closed) {
      done({ error: new Error(this.fatal ?? 'the store is closed') });
      return;
    }
    const id = this.nextId++;
    this.waiting.set(id, done);
    if (this.waiting.size === 1) this.port.ref();
    this.post({ type: 'commit', id, now, ops: encodeOps(ops) });
  }

  drain(): void {
    const deadline = performance.now() + DRAIN_LIMIT_MS;
    while (this.waiting.size > 0) {
      const seen = Atomics.load(this.bell, 0);
      const m = receiveMessageOnPort(this.port);
      if (m !== undefined) {
        this.receive(m.message as FromWriter);
        continue;
      }
      const left = deadline - performance.now();
      if (left <= 0) {
        this.failAll('writer thread did not answer in time');
        return;
      }
      Atomics.wait(this.bell, 0, seen, Math.min(left, 1000));
    }
  }

  /** Drains, closes the thread's connection (synchronously, before the caller checkpoints) and ends it. */
  close(): void {
    if (this.closed) return;
    this.drain();
    this.closed = true;
    if (this.fatal === null) {
      this.post({ type: 'close' });
      const deadline = performance.now() + 10_000;
      for (;;) {
        const seen = Atomics.load(this.bell, 0);
        const m = receiveMessageOnPort(this.port);
        if (m !== undefined) {
          if ((m.message as FromWriter).type === 'closed') break;
          continue;
        }
        if (performance.now() > deadline) break;
        Atomics.wait(this.bell, 0, seen, 100);
      }
    }
    this.port.close();
    void this.worker.terminate();
  }

  private post(m: ToWriter): void {
    this.port.postMessage(m);
  }

  private receive(m: FromWriter): void {
    if (m.type === 'fatal') {
      this.fatal = m.error;
      return;
    }
    if (m.type === 'closed') return;
    const done = this.waiting.get(m.id);
    if (done === undefined) return;
    this.waiting.delete(m.id);
    if (this.waiting.size === 0) this.port.unref();
    if (m.type === 'done') {
      if (m.highestId > this.highest) this.highest = m.highestId;
      done({ outcomes: decodeOutcomes(m.outcomes), durationMs: m.durationMs });
    } else {
      done({ error: new Error(m.error) });
    }
  }

  private failAll(error: string): void {
    this.fatal ??= error;
    const all = [...this.waiting.values()];
    this.waiting.clear();
    this.port.unref();
    for (const done of all) done({ error: new Error(error) });
  }
}

/**
 * Starts the thread: the compiled entry.js beside this file, or under tsx (tests, sources) a
 * bootstrap that registers tsx in the thread first (Node 20 does not carry tsx's hooks into
 * workers: gateway/threads/spawn.ts).
 */
function spawnWriterThread(init: WriterInit & { port: MessagePort }, transfer: MessagePort[]): Worker {
  return spawnWorker(import.meta.url, { js: './entry.js', ts: './entry.ts' }, { workerData: init, transferList: transfer });
}
