import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Aedes, type AuthenticateError } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { writeLine, type LinkHandlers } from '../../firmware-sim/link.js';
import { systemScheduler } from '../../firmware-sim/scheduler.js';
import { MqttTransport } from '../../firmware-sim/transport-mqtt.js';

/**
 * MqttTransport against a real broker (aedes, in process, port 0). A plain MQTT.js client stands
 * in for the gateway: it sees what the board publishes and answers on the board's topics.
 */
const TOKEN = 'tok-1';

interface Recorder {
  events: string[];
  handlers: LinkHandlers;
  until(prefix: string): Promise<void>;
}

function recorder(): Recorder {
  const events: string[] = [];
  const waiters: [string, () => void][] = [];
  const push = (e: string) => {
    events.push(e);
    for (const w of [...waiters]) if (e.startsWith(w[0])) w[1]();
  };
  return {
    events,
    handlers: { onOpen: () => push('open'), onLine: (l) => push(`line ${l}`), onClose: (r) => push(`close ${r}`) },
    until: (prefix) =>
      events.some((e) => e.startsWith(prefix)) ? Promise.resolve() : within(new Promise<void>((resolve) => waiters.push([prefix, resolve])), prefix),
  };
}

async function within<T>(p: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)));
  try {
    return await Promise.race([p, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The gateway's seat: every board message as `<topic> <payload>`, and a way to answer. */
class GatewaySeat {
  readonly seen: string[] = [];
  private waiters: [RegExp, () => void][] = [];

  constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      const text = `${topic} ${payload.toString()}${packet.retain ? ' (retained)' : ''}`;
      this.seen.push(text);
      for (const w of [...this.waiters]) if (w[0].test(text)) w[1]();
    });
  }

  saw(pattern: RegExp): Promise<void> {
    if (this.seen.some((s) => pattern.test(s))) return Promise.resolve();
    return within(new Promise<void>((resolve) => this.waiters.push([pattern, resolve])), String(pattern));
  }

  answer(device: string, leaf: 'ack' | 't/reply', text: string): void {
    this.client.publish(`sheetlog/${device}/${leaf}`, text);
  }
}

describe('MqttTransport', () => {
  let broker: Aedes;
  let server: Server;
  let port = 0;
  let seat: GatewaySeat;

  before(async () => {
    broker = await Aedes.createBroker({
      authenticate: (client, username, password, done) => {
        if (username === 'gateway' || (username === client.id && password?.toString() === TOKEN)) return done(null, true);
        done(Object.assign(new Error('bad login'), { returnCode: 4 }) as AuthenticateError, false);
      },
    });
    server = createServer(broker.handle);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'gateway-seat', username: 'gateway', reconnectPeriod: 0 });
    seat = new GatewaySeat(client);
    await client.subscribeAsync(['sheetlog/+/hello', 'sheetlog/+/r', 'sheetlog/+/t', 'sheetlog/+/status']);
  });

  after(async () => {
    await seat.client.endAsync(true);
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    server.close();
  });

  const transport = (keepaliveSec = 15) => new MqttTransport({ host: '127.0.0.1', port, scheduler: systemScheduler, keepaliveSec });

  it('logs in as the device, says online, maps lines to topics and the gateway\'s replies back to lines', async () => {
    const t = transport();
    const r = recorder();
    const link = t.open('board-a', r.handlers, TOKEN);
    await r.until('open');
    await seat.saw(/^sheetlog\/board-a\/status online$/);
    writeLine(link, 'T 100');
    writeLine(link, 'HELLO board-a tok-1 boot=42 up=100 low=1');
    writeLine(link, 'low=1 R 1 u90 temp_c=21.5');
    await seat.saw(/^sheetlog\/board-a\/r boot=42 low=1 R 1 u90 temp_c=21\.5$/);
    assert.deepEqual(seat.seen.filter((s) => s.startsWith('sheetlog/board-a/') && !s.includes('/status')), [
      'sheetlog/board-a/t T 100',
      'sheetlog/board-a/hello HELLO board-a tok-1 boot=42 up=100 low=1',
      'sheetlog/board-a/r boot=42 low=1 R 1 u90 temp_c=21.5',
    ]);
    seat.answer('board-a', 't/reply', 'T 100 1795232400123');
    seat.answer('board-a', 'ack', 'HELLO OK 1795232400140 0 boot=42');
    seat.answer('board-a', 'ack', 'ACK 1 boot=7'); // another boot's: not ours
    seat.answer('board-a', 'ack', 'ACK 1 boot=42');
    await r.until('line ACK 1');
    writeLine(link, 'PING');
    await r.until('line PONG');
    writeLine(link, 'BYE');
    await r.until('line BYE');
    await seat.saw(/^sheetlog\/board-a\/status offline$/);
    link.end();
    assert.deepEqual(r.events, ['open', 'line T 100 1795232400123', 'line HELLO OK 1795232400140 0', 'line ACK 1', 'line PONG', 'line BYE']);
    assert.equal(t.staleReplies, 1);
    t.close();
  });

  it('a reset leaves the last will "lost"; BUSY and closing ERRs end the link like the gateway ends a TCP connection', async () => {
    const t = transport();
    const a = recorder();
    const link = t.open('board-b', a.handlers, TOKEN);
    await a.until('open');
    link.destroy();
    await seat.saw(/^sheetlog\/board-b\/status lost$/);
    assert.deepEqual(a.events, ['open'], 'nothing after destroy()');

    const b = recorder();
    const second = t.open('board-b', b.handlers, TOKEN);
    await b.until('open');
    writeLine(second, 'HELLO board-b tok-1 boot=5 up=1');
    await seat.saw(/^sheetlog\/board-b\/hello /);
    seat.answer('board-b', 'ack', 'HELLO OK 1 0 boot=5');
    seat.answer('board-b', 'ack', 'BUSY 5000');
    await b.until('close');
    assert.deepEqual(b.events, ['open', 'line HELLO OK 1 0', 'line BUSY 5000', 'close closed after BUSY 5000']);

    const c = recorder();
    t.open('board-b', c.handlers, TOKEN);
    await c.until('open');
    seat.answer('board-b', 'ack', 'ERR REVOKED device was revoked');
    await c.until('close');
    assert.deepEqual(c.events, ['open', 'line ERR REVOKED device was revoked', 'close closed after ERR REVOKED']);
    t.close();
  });

  it('a refused login becomes the ERR a TCP HELLO would have got', async () => {
    const t = transport();
    const r = recorder();
    t.open('board-c', r.handlers, 'wrong');
    await r.until('close');
    assert.match(r.events[0] ?? '', /^line ERR AUTH_FAILED /);
    assert.equal(r.events.length, 2);
    t.close();
  });

  it('abandon() goes silent: the broker gives up after its keepalive and publishes the will', async () => {
    const t = transport(1);
    const r = recorder();
    const link = t.open('board-d', r.handlers, TOKEN);
    await r.until('open');
    await seat.saw(/^sheetlog\/board-d\/status online$/);
    link.abandon();
    seat.answer('board-d', 'ack', 'ERR TAKEN_OVER ignored by an abandoned link');
    await seat.saw(/^sheetlog\/board-d\/status lost$/);
    while (t.openClients > 0) await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(r.events, ['open']);
    t.close();
  });
});
