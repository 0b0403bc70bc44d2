import { connect, type Socket } from 'node:net';
import { once } from 'node:events';

/**
 * A test board: a TCP client that writes lines and reads the gateway's replies one by one.
 * `next()` waits for a reply line (with a generous timeout so a broken gateway fails the test
 * instead of hanging it).
 */
export class LineClient {
  private buffer = '';
  private readonly lines: string[] = [];
  private waiters: ((line: string | null) => void)[] = [];
  private ended = false;

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => this.onData(d));
    socket.on('close', () => {
      this.ended = true;
      for (const w of this.waiters.splice(0)) w(null);
    });
    socket.on('error', () => {});
  }

  static async open(port: number, host = '127.0.0.1'): Promise<LineClient> {
    const socket = connect({ port, host, noDelay: true });
    await once(socket, 'connect');
    return new LineClient(socket);
  }

  send(...lines: string[]): void {
    this.socket.write(lines.map((l) => `${l}\n`).join(''));
  }

  write(raw: string | Buffer): void {
    this.socket.write(raw);
  }

  /** The next reply line, or null if the connection closed first. */
  next(timeoutMs = 30000): Promise<string | null> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push((l) => {
        clearTimeout(timer);
        resolve(l);
      });
    });
  }

  /** Reads replies until one satisfies `pred`; returns it and everything read before it. */
  async until(pred: (line: string) => boolean, timeoutMs = 10000): Promise<{ line: string; before: string[] }> {
    const before: string[] = [];
    for (;;) {
      const line = await this.next(timeoutMs);
      if (line === null) throw new Error(`connection closed; read so far: ${before.join(' | ')}`);
      if (pred(line)) return { line, before };
      before.push(line);
    }
  }

  /** Resolves when the gateway has closed the connection; returns the lines read meanwhile. */
  async closed(timeoutMs = 10000): Promise<string[]> {
    const rest: string[] = [];
    for (;;) {
      const line = await this.next(timeoutMs);
      if (line === null) return rest;
      rest.push(line);
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(d: string): void {
    this.buffer += d;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) !== -1) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      const w = this.waiters.shift();
      if (w) w(line);
      else this.lines.push(line);
    }
  }
}
