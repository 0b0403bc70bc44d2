/**
 * sketches/esp8266_logger with GATEWAY_TLS 1, built for the host (BearSSL::WiFiClientSecure is
 * the host shim's stand-in over OpenSSL, held to what BearSSL accepts: TLS 1.2, SHA-1
 * fingerprints, records no larger than the buffers) against a real gateway with tcp.tls.enabled.
 *
 *   - pinned by the SHA-1 fingerprint `sheetlog tls fingerprint --sha1` prints: small records
 *     negotiated, every reading acknowledged exactly once across a dropped link;
 *   - trusting the gateway's certificate file as a trust anchor (TLS_CA): acknowledged;
 *   - a wrong fingerprint: every handshake refused, nothing stored for the device;
 *   - sketches/esp8266_mqtt_logger with MQTT_TLS 1 through the embedded broker's TLS listener
 *     (mqtt.embeddedTls), pinned by the same fingerprint: readings acknowledged.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { type Board, startBoard, waitForAck, waitForAllAcked, waitForHelloOk } from './helpers/board.js';
import { buildSketch } from './helpers/build.js';
import { type RunningGateway, startGateway, storedReadings, tlsFingerprintOf } from './helpers/gateway.js';
import { ProcessGroup, stopAndRemove } from './helpers/processes.js';

const READINGS = 30;
const DEFINES = { SAMPLE_PERIOD_MS: 100, BACKOFF_BASE_MS: 200, BACKOFF_MAX_MS: 1000 };

/** A user's sheetlog_config.h: the TLS settings, then the example for everything else. */
function tlsConfig(device: string, settings: string, tlsSwitch = 'GATEWAY_TLS'): string {
  return `#define ${tlsSwitch} 1\n#define DEVICE_ID "${device}"\n#define DEVICE_TOKEN "token-${device}"\n${settings}\n#include "sheetlog_config.example.h"\n`;
}

/** The same fingerprint with its last byte changed. */
function wrongFingerprint(fp: string): string {
  const bytes = fp.split(':');
  const last = Number.parseInt(bytes[bytes.length - 1] as string, 16);
  bytes[bytes.length - 1] = ((last + 1) & 0xff).toString(16).toUpperCase().padStart(2, '0');
  return bytes.join(':');
}

describe('esp8266_logger over TLS on the host, against the gateway', {
  timeout: 300_000,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sheetlog-esp8266-tls-'));
  const dataDir = join(dir, 'data');
  const group = new ProcessGroup();
  let gateway: RunningGateway;
  let sha1 = '';
  let certPem = '';
  const warnings: string[] = [];
  const binaries: Record<'pinned' | 'anchored' | 'wrong', string> = { pinned: '', anchored: '', wrong: '' };

  before(async () => {
    mkdirSync(dataDir, { recursive: true });
    const configPath = join(dir, 'gateway.json');
    writeFileSync(configPath, JSON.stringify({ tcp: { host: '127.0.0.1', tls: { enabled: true, port: 0 } } }));
    gateway = await startGateway(group, dataDir, 'gateway', ['--config', configPath]);
    sha1 = await tlsFingerprintOf(dataDir, true);
    certPem = readFileSync(join(dataDir, 'tls', 'cert.pem'), 'utf8');
    const configs = {
      pinned: tlsConfig('tls-pinned', `#define TLS_FINGERPRINT "${sha1}"`),
      anchored: tlsConfig('tls-anchored', `#define TLS_CA ${JSON.stringify(certPem)}`),
      wrong: tlsConfig('tls-wrong', `#define TLS_FINGERPRINT "${wrongFingerprint(sha1)}"`),
    };
    for (const kind of ['pinned', 'anchored', 'wrong'] as const) {
      const built = await buildSketch('esp8266_logger', join(dir, kind), DEFINES, [], configs[kind]);
      warnings.push(...built.warnings);
      binaries[kind] = built.binary;
    }
  });

  after(() => stopAndRemove(group, dir));

  async function boardOnTls(name: string, binary: string, readings: number): Promise<Board> {
    assert.ok(gateway.tlsPort !== null, 'the gateway reported no tlsPort');
    return startBoard(group, name, binary, { gateway: `127.0.0.1:${gateway.tlsPort}`, readings });
  }

  it('prints a SHA-1 fingerprint for the ESP8266 and compiles the TLS sketch with no warnings', () => {
    assert.match(sha1, /^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
    assert.deepEqual(warnings, []);
  });

  it('pinned by the SHA-1 fingerprint: small records negotiated, every reading acknowledged exactly once across a drop', async () => {
    const board = await boardOnTls('tls-pinned', binaries.pinned, READINGS);
    await waitForHelloOk(board, 0, 60_000);
    assert.ok(board.child.lines.some((l) => l === 'host: tls up (fragment limit negotiated)'), board.child.tail());
    assert.ok(board.child.lines.some((l) => l === 'sheetlog: tls: the gateway agrees to small records: small buffers'));
    await waitForAck(board, 5, 30_000);
    const beforeDrop = board.child.lines.length;
    board.child.send('!host drop');
    await waitForHelloOk(board, beforeDrop, 30_000);
    await board.child.waitFor(/^host: reading limit \d+ reached$/, 60_000);
    await waitForAllAcked(board, READINGS, 60_000, beforeDrop);
    const seqs = storedReadings(dataDir, 'tls-pinned').map((r) => r.seq);
    assert.deepEqual(seqs, Array.from({ length: READINGS }, (_, i) => i + 1));
    assert.ok(!board.child.lines.some((l) => l.startsWith('sheetlog: tls: handshake failed')), board.child.tail());
  });

  it("trusting the gateway's certificate file (TLS_CA): readings acknowledged", async () => {
    const board = await boardOnTls('tls-anchored', binaries.anchored, 5);
    await waitForHelloOk(board, 0, 60_000);
    await board.child.waitFor(/^host: reading limit \d+ reached$/, 60_000);
    await waitForAllAcked(board, 5, 60_000);
    assert.deepEqual(storedReadings(dataDir, 'tls-anchored').map((r) => r.seq), [1, 2, 3, 4, 5]);
  });

  it('a wrong fingerprint: each handshake refused, nothing reaches the gateway', async () => {
    const board = await boardOnTls('tls-wrong', binaries.wrong, 5);
    // Two refusals: the board keeps trying (with backoff) and is refused every time.
    const first = await board.child.waitFor(/^sheetlog: tls: handshake failed \(62\): certificate fingerprint mismatch/, 60_000);
    await board.child.waitFor(/^sheetlog: tls: handshake failed \(62\): certificate fingerprint mismatch/, 60_000, first.index + 1);
    await board.child.waitFor(/^host: reading limit \d+ reached$/, 60_000);
    assert.ok(!board.child.lines.some((l) => l.startsWith('sheetlog: hello ok')), 'a HELLO went through with a wrong fingerprint');
    assert.deepEqual(storedReadings(dataDir, 'tls-wrong'), []);
  });
});

describe('esp8266_mqtt_logger over TLS on the host, through the embedded broker (mqtt.embeddedTls)', {
  timeout: 300_000,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sheetlog-mqtt-tls-'));
  const dataDir = join(dir, 'data');
  const group = new ProcessGroup();
  let gateway: RunningGateway;
  let binary = '';
  let warnings: string[] = [];

  before(async () => {
    mkdirSync(dataDir, { recursive: true });
    const configPath = join(dir, 'gateway.json');
    writeFileSync(configPath, JSON.stringify({ mqtt: { embedded: true, embeddedHost: '127.0.0.1', embeddedPort: 0, embeddedTls: { enabled: true, port: 0 } } }));
    gateway = await startGateway(group, dataDir, 'gateway-mqtt', ['--config', configPath]);
    await gateway.child.waitFor((l) => l.includes('"msg":"mqtt subscribed"'), 60_000);
    const sha1 = await tlsFingerprintOf(dataDir, true);
    const config = tlsConfig('tls-mqtt', `#define TLS_FINGERPRINT "${sha1}"`, 'MQTT_TLS');
    const built = await buildSketch('esp8266_mqtt_logger', join(dir, 'mqtt'), { ...DEFINES, REPLY_TIMEOUT_MS: 1500 }, [], config);
    binary = built.binary;
    warnings = built.warnings;
  });

  after(() => stopAndRemove(group, dir));

  it('compiles with MQTT_TLS 1 and no warnings; every reading acknowledged over TLS', async () => {
    assert.deepEqual(warnings, []);
    assert.ok(gateway.mqttBrokerTlsPort !== null, 'the gateway reported no mqttBrokerTlsPort');
    const board = await startBoard(group, 'tls-mqtt', binary, { gateway: `127.0.0.1:${gateway.mqttBrokerTlsPort}`, readings: 10 });
    await waitForHelloOk(board, 0, 60_000);
    assert.ok(board.child.lines.some((l) => l === 'host: tls up (fragment limit negotiated)'), board.child.tail());
    await board.child.waitFor(/^host: reading limit \d+ reached$/, 60_000);
    await waitForAllAcked(board, 10, 60_000);
    assert.deepEqual(storedReadings(dataDir, 'tls-mqtt').map((r) => r.seq), Array.from({ length: 10 }, (_, i) => i + 1));
  });
});
