import { EventEmitter } from 'node:events';
import type { ConnectionSocket } from '../../../../gateway/ingest/tcp/connection-deps.js';

/**
 * A socket stand-in for TcpConnection: the test pushes bytes in (`receive`) and reads the replies
 * written (`replies`), sees pause/resume/end/destroy, and can make the peer stop reading
 * (`stopReading`: the write buffer then only grows). Nothing touches the network.
 */
export class FakeSocket extends EventEmitter {
  readonly written: string[] = [];
  paused = false;
  ended = false;
  destroyed = false;
  writable = true;
  writableLength = 0;
  remoteAddress = '192.0.2.10';
  remotePort = 40000;
  private reading = true;
  /** cork() depth, and what was written meanwhile: it leaves as one write on the last uncork(), as with a net.Socket. */
  private corked = 0;
  private pending = '';

  /** The replies so far, one per line. */
  get replies(): string[] {
    return this.written.join('').split('\n').filter((l) => l !== '');
  }

  receive(text: string | Buffer): void {
    this.emit('data', typeof text === 'string' ? Buffer.from(text) : text);
  }

  pause(): this {
    this.paused = true;
    return this;
  }

  resume(): this {
    this.paused = false;
    return this;
  }

  cork(): void {
    this.corked++;
  }

  uncork(): void {
    if (this.corked === 0 || --this.corked > 0 || this.pending === '') return;
    this.written.push(this.pending);
    this.pending = '';
  }

  write(chunk: string | Uint8Array): boolean {
    if (this.corked > 0) this.pending += String(chunk);
    else this.written.push(String(chunk));
    if (!this.reading) this.writableLength += Buffer.byteLength(String(chunk));
    return this.reading;
  }

  end(): this {
    this.ended = true;
    this.writable = false;
    return this;
  }

  destroy(): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    this.writable = false;
    queueMicrotask(() => this.emit('close', false));
    return this;
  }

  /** The peer closed its side (or the socket closed after end()). */
  peerClosed(): void {
    this.emit('close', false);
  }

  stopReading(): void {
    this.reading = false;
  }

  /** Typed as what TcpConnection takes. */
  get asSocket(): ConnectionSocket {
    return this as unknown as ConnectionSocket;
  }
}
