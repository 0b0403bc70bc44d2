import net from 'node:net';
import tls from 'node:tls';
import type { Link, LinkHandlers, Transport } from './link.js';
import { LineSplitter } from './lines.js';
import type { Scheduler } from './scheduler.js';

export interface TcpTransportOptions {
  host: string;
  port: number;
  scheduler: Scheduler;
  /** Longest gateway line accepted. Default 512. */
  maxLineBytes?: number;
  /**
   * An abandoned socket (Wi-Fi drop) is kept open, silently, until the gateway closes it or this
   * long has passed, like a board's half-open connection the gateway must detect. Default 130 s
   * (just past the gateway's default idle limit).
   */
  abandonLingerMs?: number;
  /** Connect with TLS (the gateway's tcp.tls listener), trusting what this names. */
  tls?: BoardTls;
}

/**
 * What a board trusts over TLS, like an ESP8266 with BearSSL: a pinned SHA-256 fingerprint of the
 * gateway's certificate (`setFingerprint`), or a CA / the self-signed certificate itself
 * (`setTrustAnchors`). Host names are not checked: what is pinned is the trust.
 */
export type BoardTls = { fingerprint256: string } | { ca: string };

/** `ab:cd:...`, `ABCD...` or with spaces: the 64 hex digits of a SHA-256 fingerprint, upper case with colons. */
export function normalizeFingerprint(text: string): string {
  const hex = text.replace(/[\s:]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) throw new RangeError(`a SHA-256 fingerprint has 64 hex digits, got ${JSON.stringify(text)}`);
  return hex.match(/../g)!.join(':');
}

function connectTls(host: string, port: number, trust: BoardTls): tls.TLSSocket {
  if ('ca' in trust) return tls.connect({ host, port, ca: trust.ca, checkServerIdentity: () => undefined, servername: net.isIP(host) ? undefined : host });
  const wanted = normalizeFingerprint(trust.fingerprint256);
  // The chain is not checked (a self-signed certificate has none); the fingerprint is, before any line is sent.
  const socket = tls.connect({ host, port, rejectUnauthorized: false, servername: net.isIP(host) ? undefined : host });
  socket.once('secureConnect', () => {
    const seen = socket.getPeerCertificate().fingerprint256;
    if (seen !== wanted) socket.destroy(Object.assign(new Error(`certificate fingerprint ${seen} is not the pinned ${wanted}`), { code: 'TLS_FINGERPRINT_MISMATCH' }));
  });
  return socket;
}

/** The board side of protocol v1 over plain TCP. */
export class TcpTransport implements Transport {
  private readonly sockets = new Set<net.Socket>();
  private closed = false;

  constructor(private readonly options: TcpTransportOptions) {
    if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) {
      throw new RangeError(`port must be 1-65535, got ${options.port}`);
    }
  }

  /** Sockets currently open, abandoned ones included. */
  get openSockets(): number {
    return this.sockets.size;
  }

  open(_deviceId: string, handlers: LinkHandlers): Link {
    const { host, port, scheduler } = this.options;
    const trust = this.options.tls;
    const socket: net.Socket = trust ? connectTls(host, port, trust) : net.connect({ host, port });
    socket.setNoDelay(true);
    this.sockets.add(socket);
    if (this.closed) socket.destroy();
    const splitter = new LineSplitter(this.options.maxLineBytes ?? 512);
    let live = true; // handlers still wanted
    let lastError: string | null = null;
    // Over TLS the link is open once the handshake (and the fingerprint check) passed.
    socket.on(trust ? 'secureConnect' : 'connect', () => live && !socket.destroyed && handlers.onOpen());
    socket.on('data', (chunk: Buffer) => {
      for (const line of splitter.push(chunk)) {
        if (!live) return;
        handlers.onLine(line);
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      lastError = error.code ?? error.message;
    });
    socket.on('close', () => {
      this.sockets.delete(socket);
      if (!live) return;
      live = false;
      handlers.onClose(lastError ?? 'closed by peer');
    });
    return {
      write: (bytes) => {
        if (!socket.destroyed && socket.writable) socket.write(bytes);
      },
      end: () => {
        live = false;
        socket.end();
      },
      destroy: () => {
        live = false;
        socket.destroy();
      },
      abandon: () => {
        live = false;
        // Keep reading (and discarding) so the gateway's close is seen and the socket released.
        const linger = scheduler.after(this.options.abandonLingerMs ?? 130_000, () => socket.destroy());
        socket.once('close', () => linger.cancel());
      },
    };
  }

  close(): void {
    this.closed = true;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }
}

/** Parses `host:port`, `[v6]:port`, `:port` or `port` (host defaults to 127.0.0.1). */
export function parseHostPort(text: string, defaultPort = 8090): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*))(?::(\d+))?$/.exec(text.trim());
  const portOnly = /^\d+$/.test(text.trim());
  const host = portOnly ? '' : (match?.[1] ?? match?.[2] ?? '');
  const port = Number(portOnly ? text.trim() : (match?.[3] ?? defaultPort));
  if (!match && !portOnly) throw new RangeError(`bad gateway address ${JSON.stringify(text)}`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`bad port in ${JSON.stringify(text)}`);
  return { host: host === '' ? '127.0.0.1' : host, port };
}
