import { connect, type Socket } from 'node:net';
import { once } from 'node:events';

/**
 * A lean load generator for benchmarks: many TCP connections pushing protocol v1 readings as fast
 * as the peer takes them, or at a steady paced rate with per-reading ACK latency. Unlike the fleet
 * (fleet.ts), it models no board behaviour: its job is to cost as little CPU per reading as possible
 * so the server is what gets measured. The same generator drives sheetlog and the baseline server.
 */

export interface Target {
  host: string;
  port: number;
}

/** One reading line as a real board would send it (about 60 bytes). */
export function readingLine(seq: number): string {
  const t = (20 + (seq % 100) / 50).toFixed(2);
  return `R ${seq} u${1000 + seq * 10} temp_c=${t} humidity=${40 + (seq % 7)} battery=3.91\n`;
}

/** The smallest useful reading (about 25 bytes): one field, no device time. */
export function oneFieldLine(seq: number): string {
  return `R ${seq} - temp_c=21.5\n`;
}

/** A connection that counts reply lines cheaply and remembers the last ACK. */
export class LoadConnection {
  lastAck = 0;
  helloOk = false;
  private tail = '';
  private ackWaiter: { seq: number; resolve: () => void; reject: (e: Error) => void } | null = null;
  /** The last reply that was neither an ACK nor HELLO OK (an ERR, a NAK, BUSY), for errors. */
  lastOther: string | null = null;
  closed = false;
  private helloWaiter: (() => void) | null = null;
  onAck: ((seq: number, now: number) => void) | null = null;

  private constructor(readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => this.onData(d));
    socket.on('error', () => {});
    // A connection the server closes fails whoever waits on it, naming its last reply: a benchmark
    // must end with an error, not wait for ACKs that cannot come.
    socket.on('close', () => {
      this.closed = true;
      const w = this.ackWaiter;
      this.ackWaiter = null;
      w?.reject(new Error(`connection closed after ACK ${this.lastAck}${this.lastOther ? `; last other reply: ${this.lastOther}` : ''}`));
    });
  }

  static async open(target: Target): Promise<LoadConnection> {
    // A tiny high-water mark: a write waits for the kernel instead of piling up in memory, so
    // board-like sending really is one TCP write per reading.
    const socket = connect({ host: target.host, port: target.port, noDelay: true, writableHighWaterMark: 256 } as never);
    await once(socket, 'connect');
    return new LoadConnection(socket);
  }

  hello(device: string, boot: number): Promise<void> {
    this.socket.write(`HELLO ${device} tok-${device} boot=${boot} up=1000 fw=bench board=loadgen\n`);
    if (this.helloOk) return Promise.resolve();
    return new Promise((resolve) => (this.helloWaiter = resolve));
  }

  /** Resolves once an ACK covering `seq` arrived. */
  acked(seq: number): Promise<void> {
    if (this.lastAck >= seq) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error(`connection closed after ACK ${this.lastAck}${this.lastOther ? `; last other reply: ${this.lastOther}` : ''}`));
    return new Promise((resolve, reject) => (this.ackWaiter = { seq, resolve, reject }));
  }

  write(data: string | Buffer): boolean {
    return this.socket.write(data);
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(d: string): void {
    const text = this.tail + d;
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf('\n', start)) !== -1) {
      if (text.charCodeAt(start) === 65 /* A */ && text.startsWith('ACK ', start)) {
        this.lastAck = Number(text.slice(start + 4, nl));
        this.onAck?.(this.lastAck, performance.now());
      } else if (text.startsWith('HELLO OK', start)) {
        this.helloOk = true;
        this.helloWaiter?.();
        this.helloWaiter = null;
      } else {
        this.lastOther = text.slice(start, nl);
      }
      start = nl + 1;
    }
    this.tail = text.slice(start);
    if (this.ackWaiter && this.lastAck >= this.ackWaiter.seq) {
      const w = this.ackWaiter;
      this.ackWaiter = null;
      w.resolve();
    }
  }
}

/** Opens `count` connections, `parallel` at a time (a storm of 10,000 connects overruns backlogs). */
export async function openMany(target: Target, count: number, parallel = 200): Promise<LoadConnection[]> {
  const out: LoadConnection[] = [];
  for (let i = 0; i < count; i += parallel) {
    const batch = await Promise.all(Array.from({ length: Math.min(parallel, count - i) }, () => LoadConnection.open(target)));
    out.push(...batch);
  }
  return out;
}

/**
 * Board-like sending: every reading is its own write on the socket, as a board sends a line per
 * packet; when the kernel buffer is full the sender waits for it to drain.
 */
export async function sendLineByLine(conn: LoadConnection, count: number): Promise<void> {
  const socket = conn.socket;
  for (let seq = 1; seq <= count; seq++) {
    if (!socket.write(readingLine(seq))) await once(socket, 'drain');
  }
}

/** Pre-builds each connection's whole payload, so building text is not part of the measurement. */
export function payloads(connections: number, perConnection: number): Buffer[] {
  const one = Buffer.from(Array.from({ length: perConnection }, (_, i) => readingLine(i + 1)).join(''), 'latin1');
  return Array.from({ length: connections }, () => one);
}

export interface PacedResult {
  sent: number;
  acked: number;
  latenciesMs: Float64Array;
}

/**
 * Sends readings at a steady total rate spread over the connections (ticks of `tickMs`), and
 * measures for every reading the time from its write to the first ACK covering it. `nextSeq`
 * (updated in place) lets a later run on the same connections continue their numbering.
 */
export async function paced(
  conns: LoadConnection[],
  ratePerSecond: number,
  durationMs: number,
  tickMs = 5,
  nextSeq: number[] = conns.map(() => 1),
  line: (seq: number) => string = readingLine,
): Promise<PacedResult> {
  const perTick = (ratePerSecond * tickMs) / 1000;
  const ticks = Math.floor(durationMs / tickMs);
  const total = Math.floor(perTick * ticks);
  const sentAt = conns.map(() => [] as number[]);
  const firstSeq = [...nextSeq];
  const latencies = new Float64Array(total);
  let acked = 0;
  conns.forEach((c, i) => {
    const first = firstSeq[i] as number;
    let settledUpTo = first - 1;
    c.onAck = (seq, now) => {
      const times = sentAt[i] as number[];
      for (let s = settledUpTo + 1; s <= seq; s++) latencies[acked++] = now - (times[s - first] as number);
      settledUpTo = Math.max(settledUpTo, seq);
    };
  });
  let sent = 0;
  let carry = 0;
  const start = performance.now();
  for (let tick = 0; tick < ticks; tick++) {
    // Wait for this tick's start time (absolute schedule: no drift from slow ticks).
    const due = start + tick * tickMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    carry += perTick;
    const n = Math.floor(carry);
    carry -= n;
    for (let k = 0; k < n && sent < total; k++) {
      const i = (sent + tick) % conns.length;
      const seq = nextSeq[i] as number;
      nextSeq[i] = seq + 1;
      (sentAt[i] as number[]).push(performance.now());
      (conns[i] as LoadConnection).write(line(seq));
      sent++;
    }
  }
  await Promise.all(conns.map((c, i) => c.acked((nextSeq[i] as number) - 1)));
  return { sent, acked, latenciesMs: latencies.subarray(0, acked) };
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}
