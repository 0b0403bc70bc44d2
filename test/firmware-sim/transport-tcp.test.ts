import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { describe, it } from 'node:test';
import { writeLine, type LinkHandlers } from '../../firmware-sim/link.js';
import { ManualScheduler } from '../../firmware-sim/manual-scheduler.js';
import { systemScheduler } from '../../firmware-sim/scheduler.js';
import { SlowTransport } from '../../firmware-sim/slow-link.js';
import { TcpTransport } from '../../firmware-sim/transport-tcp.js';
import { ScriptedTransport } from './fake-peer.js';

/** A loopback server on port 0 that hands each accepted socket to the test. */
async function server(): Promise<{ port: number; sockets: net.Socket[]; next(): Promise<net.Socket>; close(): Promise<void> }> {
  const sockets: net.Socket[] = [];
  const waiting: ((s: net.Socket) => void)[] = [];
  const srv = net.createServer((socket) => {
    sockets.push(socket);
    waiting.shift()?.(socket);
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as net.AddressInfo).port;
  return {
    port,
    sockets,
    next: () => new Promise((resolve) => waiting.push(resolve)),
    close: async () => {
      for (const s of sockets) s.destroy();
      srv.close();
      await once(srv, 'close');
    },
  };
}

function recorder() {
  const events: string[] = [];
  const waiters: [string, () => void][] = [];
  const push = (e: string) => {
    events.push(e);
    for (const [prefix, resolve] of [...waiters]) if (e.startsWith(prefix)) resolve();
  };
  const handlers: LinkHandlers = {
    onOpen: () => push('open'),
    onLine: (line) => push(`line ${line}`),
    onClose: (reason) => push(`close ${reason}`),
  };
  const until = (prefix: string) =>
    events.some((e) => e.startsWith(prefix)) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push([prefix, resolve]));
  return { events, handlers, until };
}

const readLines = (socket: net.Socket, count: number) =>
  new Promise<string[]>((resolve) => {
    let text = '';
    socket.on('data', (d: Buffer) => {
      text += d.toString();
      const lines = text.split('\n').slice(0, -1);
      if (lines.length >= count) resolve(lines);
    });
  });

describe('TcpTransport', () => {
  it('writes lines, splits replies into lines, and reports the peer closing', async () => {
    const srv = await server();
    const transport = new TcpTransport({ host: '127.0.0.1', port: srv.port, scheduler: systemScheduler });
    const r = recorder();
    const accepted = srv.next();
    const link = transport.open('d', r.handlers);
    await r.until('open');
    const socket = await accepted;
    const got = readLines(socket, 2);
    writeLine(link, 'HELLO d t');
    writeLine(link, Buffer.from([0x58, 0xff]));
    assert.deepEqual(await got, ['HELLO d t', Buffer.from([0x58, 0xff]).toString()]);
    socket.write('HELLO OK 1 0\r\nAC');
    socket.write('K 1\n');
    await r.until('line ACK 1');
    socket.end();
    await r.until('close');
    assert.deepEqual(r.events, ['open', 'line HELLO OK 1 0', 'line ACK 1', 'close closed by peer']);
    transport.close();
    await srv.close();
  });

  it('reports a refused connection', async () => {
    const srv = await server();
    const port = srv.port;
    await srv.close();
    const transport = new TcpTransport({ host: '127.0.0.1', port, scheduler: systemScheduler });
    const r = recorder();
    transport.open('d', r.handlers);
    await r.until('close');
    assert.deepEqual(r.events, ['close ECONNREFUSED']);
  });

  it('destroy() closes at once without calling back; abandon() leaves the socket to the peer', async () => {
    const srv = await server();
    const transport = new TcpTransport({ host: '127.0.0.1', port: srv.port, scheduler: systemScheduler });
    const a = recorder();
    const b = recorder();
    const acceptedA = srv.next();
    const linkA = transport.open('a', a.handlers);
    await a.until('open');
    const socketA = await acceptedA;
    const acceptedB = srv.next();
    const linkB = transport.open('b', b.handlers);
    await b.until('open');
    const socketB = await acceptedB;

    linkA.destroy();
    await once(socketA, 'close');
    assert.deepEqual(a.events, ['open']);

    linkB.abandon();
    socketB.write('ERR TAKEN_OVER another connection\n');
    assert.equal(transport.openSockets, 1, 'an abandoned socket stays open');
    const released = once(socketB, 'close');
    socketB.end();
    await released;
    while (transport.openSockets > 0) await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(b.events, ['open'], 'nothing is delivered after abandon()');
    transport.close();
    await srv.close();
  });

  it('close() destroys every socket, abandoned ones too', async () => {
    const srv = await server();
    const transport = new TcpTransport({ host: '127.0.0.1', port: srv.port, scheduler: systemScheduler });
    const r = recorder();
    const accepted = srv.next();
    const link = transport.open('d', r.handlers);
    await r.until('open');
    const socket = await accepted;
    link.abandon();
    const closed = once(socket, 'close');
    transport.close();
    await closed;
    assert.equal(transport.openSockets, 0);
    await srv.close();
  });
});

describe('SlowTransport', () => {
  it('writes one byte per interval, in order, and flushes on a graceful end', () => {
    const scheduler = new ManualScheduler();
    const inner = new ScriptedTransport();
    const slow = new SlowTransport(inner, scheduler, 10);
    const link = slow.open('d', { onOpen() {}, onLine() {}, onClose() {} });
    writeLine(link, 'AB');
    writeLine(link, 'C');
    const conn = inner.last;
    assert.equal(Buffer.concat(conn.raw).toString(), 'A');
    scheduler.advance(10);
    assert.equal(Buffer.concat(conn.raw).toString(), 'AB');
    scheduler.advance(20);
    assert.deepEqual(conn.written, ['AB']);
    assert.equal(conn.raw.length, 4);
    link.end();
    assert.deepEqual(conn.written, ['AB', 'C']);
    assert.equal(conn.endedBy, 'end');
    scheduler.advance(100);
    assert.equal(Buffer.concat(conn.raw).toString(), 'AB\nC\n');
  });

  it('drops what is queued on destroy()', () => {
    const scheduler = new ManualScheduler();
    const inner = new ScriptedTransport();
    const link = new SlowTransport(inner, scheduler, 5).open('d', { onOpen() {}, onLine() {}, onClose() {} });
    writeLine(link, 'HELLO');
    link.destroy();
    scheduler.advance(100);
    assert.equal(Buffer.concat(inner.last.raw).toString(), 'H');
    assert.equal(inner.last.endedBy, 'destroy');
  });
});
