import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { once } from 'node:events';
import { reply } from '../../protocol/replies.js';
import { TcpConnection } from './connection.js';
import type { ConnectionDeps } from './connection-deps.js';
import { GREETINGS_PER_TURN, TurnShare } from '../turn-share.js';
import { GREETING_READER_IDLE_MS, GREETING_READERS, ReadSlots } from '../read-slots.js';

export interface TcpIngestOptions {
  host: string;
  port: number;
  maxConnections: number;
  /** New connections set up per event-loop turn at most (default ACCEPTS_PER_TURN). */
  acceptsPerTurn?: number;
  /** Lines from connections not authenticated yet, per event-loop turn, all together (default GREETINGS_PER_TURN). */
  greetingsPerTurn?: number;
  /** New connections read before their first bytes, at most (default GREETING_READERS). */
  greetingReaders?: number;
  /** A reader idle this long gives its place up when others wait (default GREETING_READER_IDLE_MS). */
  greetingReaderIdleMs?: number;
}

/**
 * New connections set up per event-loop turn at most. A burst of thousands of connections is
 * accepted by the kernel and Node at once; setting each up (its handler, timers, the HELLO it
 * sends) in that same turn would hold every other connection's replies for the whole burst, so
 * the rest wait, unread, for the following turns.
 */
export const ACCEPTS_PER_TURN = 64;

/** The optional TLS listener: the same protocol and handlers behind a TLS handshake. */
export interface TlsListenOptions {
  host: string;
  port: number;
  cert: string;
  key: string;
  handshakeTimeoutMs: number;
}

/** How often "connection limit reached" may be logged. */
const LIMIT_LOG_INTERVAL_MS = 10_000;

/**
 * The TCP listener on port 8090: accepts boards and gives each connection its own handler.
 * `stop()` stops accepting, lets every connection acknowledge what it received, says BYE and waits.
 */
export class TcpIngest {
  private readonly server: Server;
  private tlsServer: TlsServer | null = null;
  private readonly connections = new Set<TcpConnection>();
  private nextId = 1;
  private lastLimitLog = -Infinity;
  private stopping = false;
  private whenEmpty: (() => void) | null = null;
  /** Accepted, not set up yet (over this turn's share), in order; and how many were set up this turn. */
  private acceptQueue: Socket[] = [];
  private acceptedThisTurn = 0;
  private turnArmed = false;

  private readonly deps: ConnectionDeps;

  constructor(
    private readonly options: TcpIngestOptions,
    deps: ConnectionDeps,
  ) {
    // Every connection of this listener (plain and TLS) shares one greeting share.
    this.deps = {
      ...deps,
      greetings: deps.greetings ?? new TurnShare(options.greetingsPerTurn ?? GREETINGS_PER_TURN, (fn) => setImmediate(fn)),
      readers: deps.readers ?? new ReadSlots(options.greetingReaders ?? GREETING_READERS, options.greetingReaderIdleMs ?? GREETING_READER_IDLE_MS, () => deps.timers.now()),
    };
    // Accepted paused: a connection's socket is read only once it has a reader's place
    // (input-gate.ts `start`), so a burst's HELLOs wait in the kernel, not in the event loop.
    this.server = createServer({ noDelay: true, pauseOnConnect: true }, (socket) => this.onConnection(socket));
  }

  async start(): Promise<{ host: string; port: number }> {
    this.server.listen({ host: this.options.host, port: this.options.port, backlog: 4096 });
    await once(this.server, 'listening');
    return this.address();
  }

  /**
   * Starts the TLS listener (tcp.tls): a board that completes the handshake is handled exactly like
   * a plain one. A failed handshake (a plain-text client, a board that does not trust the
   * certificate) is counted as the limit TLS_HANDSHAKE and closed; it never reaches the protocol.
   */
  async listenTls(options: TlsListenOptions): Promise<{ host: string; port: number }> {
    const server = createTlsServer({ cert: options.cert, key: options.key, handshakeTimeout: options.handshakeTimeoutMs, minVersion: 'TLSv1.2' }, (socket) => {
      socket.setNoDelay(true);
      this.onConnection(socket);
    });
    server.on('tlsClientError', (e, socket) => {
      this.deps.counters.countLimit('TLS_HANDSHAKE');
      this.deps.log.debug({ err: e.message, remote: socket.remoteAddress }, 'TLS handshake failed');
      socket.destroy();
    });
    this.tlsServer = server;
    server.listen({ host: options.host, port: options.port, backlog: 4096 });
    await once(server, 'listening');
    const a = server.address();
    if (a === null || typeof a === 'string') throw new Error('TLS listener is not listening');
    return { host: a.address, port: a.port };
  }

  address(): { host: string; port: number } {
    const a = this.server.address();
    if (a === null || typeof a === 'string') throw new Error('TCP listener is not listening');
    return { host: a.address, port: a.port };
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /**
   * Graceful stop, part 1: no new connections, every connection drains. The caller then commits
   * what is queued (which sends the last ACKs) and awaits `closed()`.
   */
  beginStop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.server.close();
    this.tlsServer?.close();
    for (const s of this.acceptQueue.splice(0)) s.destroy();
    for (const c of this.connections) c.shutdown();
  }

  /** Part 2: resolves when every connection has closed, cutting those still open after timeoutMs. */
  async closed(timeoutMs: number): Promise<void> {
    if (this.connections.size === 0) return;
    await new Promise<void>((resolve) => {
      const timer = this.deps.timers.after(timeoutMs, () => {
        for (const c of this.connections) c.destroy();
        resolve();
      });
      this.whenEmpty = () => {
        timer.cancel();
        resolve();
      };
    });
  }

  /** Sets a connection up now, or in a later turn when this turn's share is used (bounded batches). */
  private onConnection(socket: Socket): void {
    const perTurn = this.options.acceptsPerTurn ?? ACCEPTS_PER_TURN;
    this.armTurn();
    if (this.acceptQueue.length === 0 && this.acceptedThisTurn < perTurn) {
      this.acceptedThisTurn++;
      this.setUp(socket);
      return;
    }
    if (this.stopping || this.connections.size + this.acceptQueue.length >= this.options.maxConnections) {
      this.setUp(socket); // refused at once: that costs less than holding it
      return;
    }
    socket.pause();
    socket.on('error', () => {});
    this.acceptQueue.push(socket);
  }

  /** At the next turn: a fresh share, and the queued connections set up in order. */
  private armTurn(): void {
    if (this.turnArmed) return;
    this.turnArmed = true;
    setImmediate(() => {
      this.turnArmed = false;
      this.acceptedThisTurn = 0;
      const perTurn = this.options.acceptsPerTurn ?? ACCEPTS_PER_TURN;
      while (this.acceptQueue.length > 0 && this.acceptedThisTurn < perTurn) {
        const socket = this.acceptQueue.shift() as Socket;
        if (socket.destroyed) continue;
        this.acceptedThisTurn++;
        this.setUp(socket);
      }
      if (this.acceptQueue.length > 0 || this.acceptedThisTurn > 0) this.armTurn();
    });
  }

  private setUp(socket: Socket): void {
    const { counters } = this.deps;
    if (this.stopping || this.connections.size >= this.options.maxConnections) {
      counters.countLimit('TOO_MANY_CONNECTIONS');
      counters.countErr('TOO_MANY_CONNECTIONS');
      this.logLimit();
      socket.on('error', () => {});
      socket.resume(); // read and discarded, so the peer's close is seen
      socket.end(reply.err('TOO_MANY_CONNECTIONS', this.stopping ? 'gateway is shutting down' : `limit of ${this.options.maxConnections} connections reached`));
      socket.setTimeout(2000, () => socket.destroy());
      return;
    }
    counters.connectionsOpen++;
    counters.connectionsTotal++;
    const connection = new TcpConnection(socket, this.deps, this.nextId++, this.forget);
    this.connections.add(connection);
  }

  /** A connection closed (one function for every connection, not a closure each). */
  private readonly forget = (c: TcpConnection): void => {
    this.connections.delete(c);
    this.deps.counters.connectionsOpen--;
    if (this.connections.size === 0) this.whenEmpty?.();
  };

  private logLimit(): void {
    const now = this.deps.timers.now();
    if (now - this.lastLimitLog < LIMIT_LOG_INTERVAL_MS) return;
    this.lastLimitLog = now;
    this.deps.log.warn({ limit: 'TOO_MANY_CONNECTIONS', max: this.options.maxConnections }, 'connection limit reached; refusing new connections');
  }
}
