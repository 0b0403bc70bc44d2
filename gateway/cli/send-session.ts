import { connect, type Socket } from 'node:net';
import { encodeHello, encodeReading, parseGatewayLine, type FieldValue, type GatewayMessage } from '../../firmware-sim/protocol.js';
import { LineSplitter } from '../protocol/lines.js';

/** What `sheetlog send` sends, and where. */
export interface SendPlan {
  host: string;
  port: number;
  deviceId: string;
  token: string;
  boot: number;
  fields: ReadonlyArray<readonly [string, FieldValue]>;
  count: number;
  everyMs: number;
  /** How long to wait for the connection and for each reply. */
  timeoutMs: number;
}

export type SendResult = { ok: true; acked: number } | { ok: false; acked: number; reason: string };

/**
 * A one-shot board: HELLO, the readings (each waits for the ACK or NAK that names its seq), BYE.
 * Every line sent and received is printed (`>` and `<`; the token masked). The board side of the
 * protocol (encoders, reply parser) is the simulator's (firmware-sim/protocol.ts) and framing is
 * the gateway's own LineSplitter: no second copy of the grammar.
 */
export async function sendReadings(plan: SendPlan, print: (line: string) => void): Promise<SendResult> {
  let acked = 0;
  const fail = (reason: string): SendResult => ({ ok: false, acked, reason });
  let link: Link;
  try {
    link = await Link.open(plan.host, plan.port, plan.timeoutMs);
  } catch (e) {
    return fail((e as Error).message);
  }
  try {
    const hello = encodeHello({ deviceId: plan.deviceId, token: plan.token, boot: plan.boot });
    print(`> ${hello.replace(` ${plan.token} `, ' *** ')}`);
    link.write(hello);
    const greeting = await link.next(plan.timeoutMs, print);
    if (greeting.kind !== 'hello-ok') return fail(refusal('HELLO', greeting));
    // HELLO OK names the highest seq already stored for this boot: continue after it, never reuse one.
    let seq = greeting.ackedSeq + 1;
    let naks = 0;
    for (let i = 0; i < plan.count; i++, seq++) {
      if (i > 0 && plan.everyMs > 0) await delay(plan.everyMs);
      const line = encodeReading({ seq, ts: { kind: 'gateway' }, fields: plan.fields });
      print(`> ${line}`);
      link.write(line);
      const answer = await untilAbout(link, seq, plan.timeoutMs, print);
      if (answer.kind === 'ack') acked++;
      else if (answer.kind === 'nak') naks++;
      else return fail(refusal(`R ${seq}`, answer));
    }
    print('> BYE');
    link.write('BYE');
    await link.next(plan.timeoutMs, print).catch(() => undefined);
    return naks === 0 ? { ok: true, acked } : fail(`${naks} of ${plan.count} readings refused (NAK)`);
  } catch (e) {
    return fail((e as Error).message);
  } finally {
    link.close();
  }
}

/** Reads replies until one names `seq` (an ACK covering it, or its NAK); anything final ends the wait. */
async function untilAbout(link: Link, seq: number, timeoutMs: number, print: (line: string) => void): Promise<GatewayMessage> {
  for (;;) {
    const m = await link.next(timeoutMs, print);
    if (m.kind === 'ack' && m.seq >= seq) return m;
    if (m.kind === 'nak' && m.seq === seq) return m;
    if (m.kind === 'err' || m.kind === 'busy' || m.kind === 'bye' || m.kind === 'invalid') return m;
  }
}

function refusal(what: string, m: GatewayMessage): string {
  switch (m.kind) {
    case 'err':
      return `${what} refused: ERR ${m.code} ${m.text}`;
    case 'busy':
      return `the gateway is busy (its buffer is full): retry in ${m.retryAfterMs} ms`;
    case 'bye':
      return `the gateway said BYE before answering ${what}`;
    default:
      return `unexpected answer to ${what}`;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The TCP connection: lines out, parsed replies in, each wait bounded. */
class Link {
  private readonly splitter = new LineSplitter(4096);
  private readonly queue: string[] = [];
  private waiter: (() => void) | null = null;
  private closedBy: string | null = null;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const ev of this.splitter.push(chunk)) if (ev.kind === 'line') this.queue.push(ev.text.replace(/\r$/, ''));
      this.wake();
    });
    socket.on('close', () => {
      this.closedBy ??= 'the gateway closed the connection';
      this.wake();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      this.closedBy = `connection failed (${e.code ?? e.message})`;
    });
  }

  static open(host: string, port: number, timeoutMs: number): Promise<Link> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, noDelay: true });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no connection to ${host}:${port} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new Link(socket));
      });
      socket.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const hint = e.code === 'ECONNREFUSED' ? ': is the gateway running there (sheetlog start)? --gateway host:port chooses another' : '';
        reject(new Error(`cannot connect to ${host}:${port} (${e.code ?? e.message})${hint}`));
      });
    });
  }

  write(line: string): void {
    this.socket.write(`${line}\n`);
  }

  /** The next reply (printed as it arrives); throws on timeout or when the connection ends first. */
  async next(timeoutMs: number, print: (line: string) => void): Promise<GatewayMessage> {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.wake();
    }, timeoutMs);
    try {
      while (this.queue.length === 0) {
        if (timedOut) throw new Error(`no answer from the gateway within ${timeoutMs / 1000} s`);
        if (this.closedBy !== null) throw new Error(this.closedBy);
        await new Promise<void>((resolve) => (this.waiter = resolve));
      }
    } finally {
      clearTimeout(timer);
    }
    const line = this.queue.shift() as string;
    print(`< ${line}`);
    return parseGatewayLine(line);
  }

  close(): void {
    this.socket.end();
    this.socket.destroySoon();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
}
