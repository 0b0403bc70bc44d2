/**
 * A TCP peer whose answers a test scripts line by line, for link behaviour the real gateway
 * produces only under conditions a test cannot easily create (BUSY when its store is full, NAK).
 * By default it answers like a healthy gateway: HELLO OK with what it holds, ACK per reading,
 * T replies.
 */
import { createServer, type Server, type Socket } from 'node:net';

export interface ScriptedConnection {
  socket: Socket;
  lines: string[];
}

/** Returns the reply lines for `line`, or undefined for the default answer; 'close' ends the connection. */
export type Script = (line: string, conn: ScriptedConnection, gw: ScriptedGateway) => string[] | 'close' | undefined;

export class ScriptedGateway {
  readonly connections: ScriptedConnection[] = [];
  /** seq -> how many times an R line with it arrived. */
  readonly received = new Map<number, number>();
  /** seqs the gateway accepted (acknowledged) */
  readonly accepted = new Set<number>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly script: Script,
  ) {}

  static async start(script: Script): Promise<ScriptedGateway> {
    let gw: ScriptedGateway | undefined;
    const server = createServer((socket) => gw?.accept(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    gw = new ScriptedGateway(server, (server.address() as { port: number }).port, script);
    return gw;
  }

  async stop(): Promise<void> {
    for (const c of this.connections) c.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Highest seq with every seq up to it accepted or `skipped`. */
  contiguous(skipped: ReadonlySet<number> = new Set()): number {
    let s = 0;
    while (this.accepted.has(s + 1) || skipped.has(s + 1)) s++;
    return s;
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    const conn: ScriptedConnection = { socket, lines: [] };
    this.connections.push(conn);
    let buf = '';
    socket.on('error', () => {});
    socket.on('data', (d) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i).replace(/\r$/, '');
        buf = buf.slice(i + 1);
        conn.lines.push(line);
        if (!this.answer(line, conn)) return;
      }
    });
  }

  private answer(line: string, conn: ScriptedConnection): boolean {
    const words = line.split(/ +/);
    if (words[0] === 'R') {
      const seq = Number(words[1]);
      this.received.set(seq, (this.received.get(seq) ?? 0) + 1);
    }
    const scripted = this.script(line, conn, this);
    if (scripted === 'close') {
      conn.socket.end();
      return false;
    }
    const replies = scripted ?? this.defaultAnswer(words);
    if (replies.length > 0) conn.socket.write(replies.map((r) => `${r}\n`).join(''));
    return true;
  }

  private defaultAnswer(words: string[]): string[] {
    switch (words[0]) {
      case 'HELLO':
        return [`HELLO OK ${Date.now()} ${this.contiguous()}`];
      case 'R':
        this.accepted.add(Number(words[1]));
        return [`ACK ${words[1]}`];
      case 'T':
        return [`T ${words[1]} ${Date.now()}`];
      case 'PING':
        return ['PONG'];
      default:
        return [];
    }
  }
}
