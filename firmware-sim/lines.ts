/**
 * Splits the gateway's byte stream into lines (pure). `\r\n` is accepted. A line longer than the
 * limit is skipped up to its '\n' and counted: gateway replies are short, so it means a broken peer.
 */
export class LineSplitter {
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private discarding = false;
  private tooLong = 0;

  constructor(private readonly maxLineBytes: number) {}

  /** Lines skipped for being too long. */
  get overlongLines(): number {
    return this.tooLong;
  }

  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl;
      this.keep(chunk.subarray(start, end));
      if (nl === -1) break;
      const line = this.take();
      if (line !== null && line !== '') lines.push(line);
      start = nl + 1;
    }
    return lines;
  }

  private keep(piece: Buffer): void {
    if (this.discarding || piece.length === 0) return;
    if (this.partialBytes + piece.length > this.maxLineBytes + 1) {
      this.discarding = true;
      this.partial = [];
      this.partialBytes = 0;
      return;
    }
    this.partial.push(Buffer.from(piece));
    this.partialBytes += piece.length;
  }

  private take(): string | null {
    if (this.discarding) {
      this.discarding = false;
      this.tooLong += 1;
      return null;
    }
    let bytes = Buffer.concat(this.partial);
    this.partial = [];
    this.partialBytes = 0;
    if (bytes.at(-1) === 0x0d) bytes = bytes.subarray(0, -1);
    if (bytes.length > this.maxLineBytes) {
      this.tooLong += 1;
      return null;
    }
    return bytes.toString('utf8');
  }
}
