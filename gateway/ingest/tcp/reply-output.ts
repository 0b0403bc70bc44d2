import type { ConnectionSocket } from './connection-deps.js';

/**
 * A connection's replies, written in order. A peer that does not read them is paused (see `send`),
 * and cut loose rather than buffered for without bound. The last reply (BYE, a closing ERR, or none) waits until the
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

  /**
   * Writes a reply. Returns false when the peer is not keeping up (the kernel's buffers are full and
   * Node buffers the rest, past its high-water mark): the connection then stops reading until 'drain'.
   * Past `maxWriteBufferBytes` the socket is destroyed at once.
   */
  send(line: string): boolean {
    const s = this.socket;
    if (s.destroyed || !s.writable) return true;
    const flowing = s.write(line);
    if (s.writableLength > this.maxWriteBufferBytes) {
      s.destroy();
      this.onSlowReader();
      return true;
    }
    return flowing;
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
