import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { StartupError } from './errors.js';
import { portHolder } from './port-holder.js';

/** A port the gateway is about to listen on, with the setting that chooses it (for the message). */
export interface PortToCheck {
  /** What listens there, e.g. "TCP port for boards". */
  what: string;
  protocol: 'tcp' | 'udp';
  host: string;
  port: number;
  /** The flag or configuration key that changes it. */
  setting: string;
}

/**
 * Binds each port and lets it go again, before anything is created, so a port in use stops the
 * start with the port, its holder when it can be found, and the setting to change. Port 0 (any
 * free port) needs no check. The real listeners bind again moments later; a port taken in between
 * is reported the same way by `describeListenError`.
 */
export async function checkPorts(ports: readonly PortToCheck[]): Promise<void> {
  for (const p of ports) {
    if (p.port === 0) continue;
    try {
      await (p.protocol === 'tcp' ? bindTcp(p.host, p.port) : bindUdp(p.host, p.port));
    } catch (e) {
      throw describeListenError(p, e);
    }
  }
}

/** The StartupError for a failed bind, or the error itself when it is not about the port. */
export function describeListenError(p: PortToCheck, e: unknown): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  const where = `${p.what} ${p.host}:${p.port}`;
  if (code === 'EADDRINUSE') {
    const holder = portHolder(p.port, p.protocol);
    const who = holder ? `process ${holder.pid} (${holder.name}) holds it` : `find who holds it with: ss -${p.protocol === 'tcp' ? 'lt' : 'lu'}np 'sport = :${p.port}'`;
    return new StartupError('PORT_IN_USE', `${where} is in use: ${who}.\nStop that process, or choose another port with ${p.setting}.`);
  }
  if (code === 'EACCES' || code === 'EADDRNOTAVAIL') {
    const why = code === 'EACCES' ? 'not allowed (ports below 1024 need privileges)' : `${p.host} is not an address of this machine`;
    return new StartupError('PORT_DENIED', `${where}: ${why} (${code}); choose another with ${p.setting}.`);
  }
  return e;
}

async function bindTcp(host: string, port: number): Promise<void> {
  const server = createServer();
  server.listen({ host, port, exclusive: true });
  await once(server, 'listening');
  server.close();
  await once(server, 'close');
}

async function bindUdp(host: string, port: number): Promise<void> {
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  socket.bind({ address: host, port, exclusive: true });
  await once(socket, 'listening');
  socket.close();
  await once(socket, 'close');
}
