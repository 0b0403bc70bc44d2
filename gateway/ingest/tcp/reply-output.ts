import type { ConnectionSocket } from './connection-deps.js';

/**
 * A connection's replies, written in order. A peer that does not read them is cut loose rather than
 * buffered for without bound. The last reply (BYE, a closing ERR, or none) waits until the
 * connection has acknowledged everything it received.
 */
export class ReplyOutput {
  private lastReply: string | null = null;

  constructor(
    private readonly socket: ConnectionSocket,
    private readonly maxWriteBufferBytes: number,
    /** The peer stopped reading; the socket was destroyed. */
    private readonly onSlowReader: () => void,
  ) {}

  send(line: string): void {
    const s = this.socket;
    if (s.destroyed || !s.writable) return;
    s.write(line);
    if (s.writableLength > this.maxWriteBufferBytes) {
      s.destroy();
      this.onSlowReader();
    }
  }

  /** Names the reply `finish()` sends. */
  finalReply(line: string | null): void {
    this.lastReply = line;
  }

  /** Sends the last reply and ends the gateway's side. */
  finish(): void {
    if (this.lastReply !== null) this.send(this.lastReply);
    this.lastReply = null;
    this.socket.end();
  }
}
