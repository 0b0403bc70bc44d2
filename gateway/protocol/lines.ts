import { isUtf8 } from 'node:buffer';

/** One framing result: a complete line, or a line that had to be refused as a whole. */
export type LineEvent =
  | { kind: 'line'; text: string; bytes: number }
  | { kind: 'too-long'; head: string; bytes: number }
  | { kind: 'bad-utf8'; head: string; bytes: number };

/** How many bytes of a refused line are kept so that `R <seq>` can still be read from it. */
const HEAD_BYTES = 24;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Splits a byte stream into protocol lines (pure: no I/O). Holds at most `maxLineBytes` of a
 * partial line, so a peer that never sends a newline cannot grow memory. UTF-8 is decoded per
 * complete line, which keeps multi-byte characters split across chunks intact.
 */
export class LineSplitter {
  private partial: Buffer[] = [];
  private partialBytes = 0;
  /** Set while skipping the rest of an over-long line: the first bytes of that line. */
  private discarding: Buffer | null = null;
  private discardedBytes = 0;

  constructor(private readonly maxLineBytes: number) {}

  /** Feeds one chunk; returns the events it completes, in order. */
  push(chunk: Buffer): LineEvent[] {
    const events: LineEvent[] = [];
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(LF, start);
      if (nl === -1) {
        this.keep(chunk.subarray(start));
        break;
      }
      this.complete(chunk.subarray(start, nl), events);
      start = nl + 1;
    }
    return events;
  }

  /** Bytes held for an unfinished line (for diagnostics and tests). */
  get pendingBytes(): number {
    return this.partialBytes;
  }

  private keep(piece: Buffer): void {
    if (this.discarding) {
      this.discardedBytes += piece.length;
      return;
    }
    if (this.partialBytes + piece.length > this.maxLineBytes + 1) {
      // +1 leaves room for a '\r' that a '\n' in the next chunk would strip.
      this.startDiscarding(piece);
      return;
    }
    // Copy: the socket may reuse its chunk buffer.
    this.partial.push(Buffer.from(piece));
    this.partialBytes += piece.length;
  }

  private startDiscarding(piece: Buffer): void {
    const held = Buffer.concat([...this.partial, piece.subarray(0, HEAD_BYTES)]);
    this.discarding = held.subarray(0, HEAD_BYTES);
    this.discardedBytes = this.partialBytes + piece.length;
    this.partial = [];
    this.partialBytes = 0;
  }

  private complete(tail: Buffer, events: LineEvent[]): void {
    if (this.discarding) {
      const head = this.discarding;
      const bytes = this.discardedBytes + tail.length;
      this.discarding = null;
      this.discardedBytes = 0;
      events.push({ kind: 'too-long', head: head.toString('latin1'), bytes });
      return;
    }
    let line = tail;
    if (this.partialBytes > 0) {
      line = Buffer.concat([...this.partial, tail]);
      this.partial = [];
      this.partialBytes = 0;
    }
    const bytes = line.length + 1;
    if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
    if (line.length === 0) return;
    if (line.length > this.maxLineBytes) {
      events.push({ kind: 'too-long', head: line.subarray(0, HEAD_BYTES).toString('latin1'), bytes });
      return;
    }
    if (!isUtf8(line)) {
      events.push({ kind: 'bad-utf8', head: line.subarray(0, HEAD_BYTES).toString('latin1'), bytes });
      return;
    }
    events.push({ kind: 'line', text: line.toString('utf8'), bytes });
  }
}
