import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import mqtt from 'mqtt';
import { configSchema } from '../../../../gateway/config/schema.js';
import { generatedPaths, loadOrCreateTlsCredentials } from '../../../../gateway/ingest/tcp/tls-credentials.js';
import { startTestApp, tempDir, type TestApp } from '../../../helpers/app.js';
import { TestBoard } from '../../../helpers/mqtt.js';
import { waitFor } from '../../../helpers/wait.js';

/** The embedded broker's TLS listener (`mqtt.embeddedTls`), spoken to by MQTT.js boards over mqtts://. */

interface TlsBroker {
  gw: TestApp;
  tlsPort: number;
  plainPort: number;
  cert: string;
  fingerprint256: string;
}

async function startTlsBroker(t: { after(fn: () => unknown): void }, extra: Record<string, unknown> = {}, dataDir?: string): Promise<TlsBroker> {
  const gw = await startTestApp({ mqtt: { embedded: true, embeddedHost: '127.0.0.1', embeddedPort: 0, embeddedTls: { enabled: true, port: 0, ...extra } } }, undefined, dataDir);
  t.after(() => gw.stop());
  await gw.app.mqtt!.subscribed();
  const broker = gw.app.mqtt!.address!.broker!;
  assert.ok(broker.tls, 'the broker reported no TLS listener');
  return { gw, tlsPort: broker.tls.port, plainPort: broker.port, cert: readFileSync(broker.tls.certFile, 'utf8'), fingerprint256: broker.tls.fingerprint256 };
}

test('mqtt.embeddedTls: defaults (port 8883, off), needs mqtt.embedded, both certificate files or neither', () => {
  const parsed = configSchema.parse({});
  assert.equal(parsed.mqtt.embeddedTls.enabled, false);
  assert.equal(parsed.mqtt.embeddedTls.port, 8883);
  assert.equal(configSchema.safeParse({ mqtt: { embeddedTls: { enabled: true } } }).success, false, 'TLS without the embedded broker');
  assert.equal(configSchema.safeParse({ mqtt: { embedded: true, embeddedTls: { enabled: true, certFile: 'x.crt' } } }).success, false, 'a certificate without its key');
  assert.equal(configSchema.safeParse({ mqtt: { embedded: true, embeddedTls: { enabled: true } } }).success, true);
});

test('a board over mqtts:// trusting the certificate: HELLO OK, readings acknowledged after the commit and stored once', async (t) => {
  const { gw, tlsPort, cert } = await startTlsBroker(t);
  const board = await TestBoard.connect(`mqtts://127.0.0.1:${tlsPort}`, 'tls-mqtt-1', { username: 'tls-mqtt-1', password: 's3cr3t', ca: cert });
  t.after(() => board.end());
  await board.publish('hello', 'boot=77 up=1000 fw=1.0.0 board=esp8266');
  assert.match(await board.reply((r) => r.startsWith('HELLO OK')), /^HELLO OK \d+ 0 boot=77$/);
  await board.publish('r', 'boot=77 R 1 - temp_c=21.5');
  await board.publish('r', 'boot=77 R 2 - temp_c=21.6');
  await board.reply((r) => r === 'ACK 2 boot=77');
  gw.app.store.committer.flush();
  assert.equal(gw.app.store.devices.get('tls-mqtt-1')!.readings, 2);
  assert.equal(gw.app.counters.limits.get('TLS_HANDSHAKE') ?? 0, 0);
});

test('the TLS listener serves the certificate tcp.tls uses: one fingerprint for both, generated once in <data>/tls', async (t) => {
  const dataDir = tempDir();
  const { gw, fingerprint256 } = await startTlsBroker(t, {}, dataDir);
  const onDisk = await loadOrCreateTlsCredentials(dataDir, { certFile: null, keyFile: null });
  assert.equal(onDisk.generated, false, 'the broker generated the certificate in <data>/tls');
  assert.equal(onDisk.fingerprint256, fingerprint256);
  assert.equal(gw.app.mqtt!.address!.broker!.tls!.certFile, generatedPaths(dataDir).certFile);
});

test('a plain MQTT client on the TLS port gets no CONNACK and is counted; a board that does not trust the certificate is refused', async (t) => {
  const { gw, tlsPort, plainPort } = await startTlsBroker(t);

  // Raw MQTT CONNECT bytes on the TLS port: the listener answers nothing an MQTT client could read.
  const plain = connect({ host: '127.0.0.1', port: tlsPort });
  await once(plain, 'connect');
  let received = Buffer.alloc(0);
  plain.on('data', (d: Buffer) => (received = Buffer.concat([received, d])));
  plain.on('error', () => {});
  const clientId = Buffer.from('plain-1');
  plain.write(Buffer.concat([Buffer.from([0x10, 12 + clientId.length, 0, 4]), Buffer.from('MQTT'), Buffer.from([4, 2, 0, 60, 0, clientId.length]), clientId]));
  await once(plain, 'close');
  assert.notEqual(received[0], 0x20, 'a CONNACK came back over plain text');
  await waitFor(() => (gw.app.counters.limits.get('TLS_HANDSHAKE') ?? 0) === 1, 'the failed handshake counted');

  // MQTT.js with plain mqtt:// on the TLS port never connects.
  await assert.rejects(TestBoard.connect(`mqtt://127.0.0.1:${tlsPort}`, 'plain-2', { username: 'plain-2', password: 'x', connectTimeout: 20_000 }));
  // mqtts:// without the gateway's certificate as trust anchor: the board refuses the broker.
  await assert.rejects(TestBoard.connect(`mqtts://127.0.0.1:${tlsPort}`, 'untrusting', { username: 'untrusting', password: 'x' }), /self-signed|certificate/);
  gw.app.store.committer.flush();
  assert.equal(gw.app.store.devices.get('plain-2'), undefined, 'nothing registered through plain text on the TLS port');
  assert.equal(gw.app.store.devices.get('untrusting'), undefined);

  // The plain listener is unaffected.
  const other = await TestBoard.connect(`mqtt://127.0.0.1:${plainPort}`, 'plain-ok', { username: 'plain-ok', password: 'y' });
  await other.end();
});
