import type { Link, LinkHandlers, Transport } from '../../firmware-sim/link.js';
import { LineSplitter } from '../../firmware-sim/lines.js';
import type { Scheduler } from '../../firmware-sim/scheduler.js';

/**
 * Scripted peers for the simulator's unit tests, no sockets. `ScriptedTransport` hands every
 * connection to the test, which opens it, reads what the board wrote and replies line by line.
 */
export class ScriptedConnection {
  readonly written: string[] = [];
  readonly raw: Buffer[] = [];
  /** How the board ended the link: null while it is up. */
  endedBy: 'end' | 'destroy' | 'abandon' | null = null;
  private readonly splitter = new LineSplitter(100_000);
  private closed = false;

  constructor(
    readonly deviceId: string,
    private readonly handlers: LinkHandlers,
  ) {}

  readonly link: Link = {
    write: (bytes) => {
      if (this.endedBy) throw new Error(`board wrote after ${this.endedBy}`);
      this.raw.push(Buffer.from(bytes));
      this.written.push(...this.splitter.push(bytes));
    },
    end: () => this.finish('end'),
    destroy: () => this.finish('destroy'),
    abandon: () => this.finish('abandon'),
  };

  get alive(): boolean {
    return !this.endedBy && !this.closed;
  }

  accept(): void {
    this.handlers.onOpen();
  }

  reply(...lines: string[]): void {
    for (const line of lines) if (this.alive) this.handlers.onLine(line);
  }

  /** The gateway (or the network) closes the connection. */
  close(reason = 'closed by peer'): void {
    if (!this.alive) return;
    this.closed = true;
    this.handlers.onClose(reason);
  }

  /** Lines written so far that start with `prefix`. */
  lines(prefix: string): string[] {
    return this.written.filter((l) => l.startsWith(prefix));
  }

  /** Drains the lines written since the last call. */
  take(): string[] {
    return this.written.splice(0, this.written.length);
  }

  private finish(how: 'end' | 'destroy' | 'abandon'): void {
    this.endedBy ??= how;
  }
}

export class ScriptedTransport implements Transport {
  readonly connections: ScriptedConnection[] = [];
  closed = false;

  open(deviceId: string, handlers: LinkHandlers): Link {
    const connection = new ScriptedConnection(deviceId, handlers);
    this.connections.push(connection);
    return connection.link;
  }

  close(): void {
    this.closed = true;
  }

  get last(): ScriptedConnection {
    const last = this.connections[this.connections.length - 1];
    if (!last) throw new Error('no connection opened yet');
    return last;
  }
}

/**
 * An in-memory gateway that follows the protocol's happy path: HELLO OK with the highest stored
 * seq, an ACK after every reading (a "commit" of one), NAK for lines that do not look like readings
 * of ours, T replies, BYE. Enough to run whole fleets under a ManualScheduler.
 */
export class MemoryGateway implements Transport {
  /** device → boot → stored seqs */
  readonly stored = new Map<string, Map<number, Set<number>>>();
  readonly storeCount = { inserts: 0, duplicates: 0 };
  connects = 0;
  private readonly links = new Set<() => void>();

  constructor(private readonly scheduler: Scheduler) {}

  open(_deviceId: string, handlers: LinkHandlers): Link {
    let open = true;
    let boot: Set<number> | null = null;
    const splitter = new LineSplitter(4096);
    const send = (line: string) => this.scheduler.after(0, () => open && handlers.onLine(line));
    const closeLater = () =>
      this.scheduler.after(0, () => {
        if (!open) return;
        open = false;
        handlers.onClose('closed by peer');
      });
    const kill = () => {
      open = false;
    };
    this.links.add(kill);
    this.scheduler.after(1, () => open && handlers.onOpen());
    const onLine = (line: string) => {
      const words = line.split(' ');
      if (words[0] === 'HELLO' && !boot) {
        this.connects += 1;
        const device = words[1] as string;
        const bootId = Number(/boot=(\d+)/.exec(line)?.[1]);
        const boots = this.stored.get(device) ?? new Map<number, Set<number>>();
        this.stored.set(device, boots);
        boot = boots.get(bootId) ?? new Set<number>();
        boots.set(bootId, boot);
        send(`HELLO OK ${this.scheduler.now()} ${Math.max(0, ...boot)}`);
      } else if (words[0] === 'HELLO') {
        send('ERR ALREADY_HELLO again');
      } else if (words[0] === 'R' && boot) {
        const seq = Number(words[1]);
        if (!/^[1-9]\d*$/.test(words[1] ?? '')) return send('ERR BAD_SEQ bad seq');
        if (!isPlainReading(words)) return send(`NAK ${seq} BAD_VALUE garbage`);
        if (boot.has(seq)) this.storeCount.duplicates += 1;
        else this.storeCount.inserts += 1;
        boot.add(seq);
        send(`ACK ${seq}`);
      } else if (words[0] === 'T' && !/^\d+$/.test(words[1] ?? '')) {
        send('ERR BAD_TIME_REQUEST bad');
      } else if (words[0] === 'T') {
        send(`T ${words[1]} ${this.scheduler.now()}`);
      } else if (line === 'BYE') {
        send('BYE');
        closeLater();
      } else if (line === 'PING') {
        send('PONG');
      } else {
        send('ERR UNKNOWN_VERB what');
      }
    };
    return {
      write: (bytes) => {
        if (!open) return;
        for (const line of splitter.push(bytes)) onLine(line);
      },
      end: kill,
      destroy: kill,
      abandon: kill,
    };
  }

  close(): void {
    for (const kill of this.links) kill();
  }

  has(device: string, boot: number, seq: number): boolean {
    return this.stored.get(device)?.get(boot)?.has(seq) ?? false;
  }
}

/** `R <seq> <ts> name=number ...` with unique names: what simulated boards send when not injecting garbage. */
function isPlainReading(words: string[]): boolean {
  const [, , ts, ...fields] = words;
  if (!ts || !/^(-|\d{1,15}|u\d{1,10})$/.test(ts) || fields.length === 0 || fields.length > 32) return false;
  const names = fields.map((f) => /^([A-Za-z_][\w.-]*)=-?\d+(\.\d+)?$/.exec(f)?.[1]);
  return names.every((n) => n !== undefined) && new Set(names).size === names.length;
}
