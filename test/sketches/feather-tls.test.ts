/**
 * sketches/feather_m0_logger with GATEWAY_TLS 1 (WiFi101's WiFiSSLClient), built for the host.
 * The host's WiFiSSLClient does what the ATWINC1500 does (sketches/host/WiFi101.h): TLS 1.2 with
 * RSA key exchange only, the chain checked against the chip's root store (--winc-roots, what the
 * firmware updater uploads), no name check.
 *
 *   - the gateway with an RSA certificate that is in the chip's store: readings acknowledged;
 *   - the gateway's generated EC P-256 certificate (in the store as well): no suite in common,
 *     every handshake fails, nothing stored: why the docs ask for an RSA certificate;
 *   - the RSA gateway with another certificate in the store: refused, nothing stored.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import selfsigned from 'selfsigned';

import { startBoard, waitForAllAcked, waitForHelloOk } from './helpers/board.js';
import { buildSketch } from './helpers/build.js';
import { type RunningGateway, startGateway, storedReadings } from './helpers/gateway.js';
import { ProcessGroup, stopAndRemove } from './helpers/processes.js';

const DEFINES = { SAMPLE_PERIOD_MS: 100, BACKOFF_BASE_MS: 200, BACKOFF_MAX_MS: 1000, WIFI_JOIN_TIMEOUT_MS: 1000 };

async function rsaCertificate(name: string): Promise<{ cert: string; key: string }> {
  const now = new Date();
  const later = new Date(now.getTime() + 365 * 24 * 3600 * 1000);
  const pems = await selfsigned.generate([{ name: 'commonName', value: name }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: now,
    notAfterDate: later,
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: name }, { type: 7, ip: '127.0.0.1' }] }],
  });
  return { cert: pems.cert, key: pems.private };
}

describe('feather_m0_logger over TLS (WiFiSSLClient) on the host, against the gateway', {
  timeout: 300_000,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sheetlog-feather-tls-'));
  const group = new ProcessGroup();
  let rsaGateway: RunningGateway;
  let ecGateway: RunningGateway;
  let binary = '';
  let warnings: string[] = [];
  const files = { rsaRoots: join(dir, 'roots-rsa.pem'), ecRoots: join(dir, 'roots-ec.pem'), otherRoots: join(dir, 'roots-other.pem') };
  const data = { rsa: join(dir, 'data-rsa'), ec: join(dir, 'data-ec') };

  before(async () => {
    const rsa = await rsaCertificate('gateway.lan');
    const other = await rsaCertificate('gateway.lan');
    writeFileSync(join(dir, 'gateway.crt'), rsa.cert);
    writeFileSync(join(dir, 'gateway.key'), rsa.key);
    writeFileSync(files.rsaRoots, rsa.cert);
    writeFileSync(files.otherRoots, other.cert);
    for (const d of Object.values(data)) mkdirSync(d, { recursive: true });
    writeFileSync(
      join(dir, 'rsa.json'),
      JSON.stringify({ tcp: { host: '127.0.0.1', tls: { enabled: true, port: 0, certFile: join(dir, 'gateway.crt'), keyFile: join(dir, 'gateway.key') } } }),
    );
    writeFileSync(join(dir, 'ec.json'), JSON.stringify({ tcp: { host: '127.0.0.1', tls: { enabled: true, port: 0 } } }));
    rsaGateway = await startGateway(group, data.rsa, 'gateway-rsa', ['--config', join(dir, 'rsa.json')]);
    ecGateway = await startGateway(group, data.ec, 'gateway-ec', ['--config', join(dir, 'ec.json')]);
    writeFileSync(files.ecRoots, readFileSync(join(data.ec, 'tls', 'cert.pem')));
    const built = await buildSketch('feather_m0_logger', join(dir, 'build'), { ...DEFINES, GATEWAY_TLS: 1 });
    binary = built.binary;
    warnings = built.warnings;
  });

  after(() => stopAndRemove(group, dir));

  it('compiles with GATEWAY_TLS 1 and no warnings', () => {
    assert.deepEqual(warnings, []);
  });

  it('an RSA certificate in the chip\'s root store: readings acknowledged over TLS', async () => {
    const board = await startBoard(group, 'feather-rsa', binary, {
      gateway: `127.0.0.1:${rsaGateway.tlsPort}`,
      readings: 5,
      extraArgs: ['--winc-roots', files.rsaRoots],
    });
    await waitForHelloOk(board, 0, 60_000);
    assert.ok(board.child.lines.some((l) => l.startsWith('host: tls up')), board.child.tail());
    await board.child.waitFor(/^host: reading limit \d+ reached$/, 60_000);
    await waitForAllAcked(board, 5, 60_000);
    assert.deepEqual(storedReadings(data.rsa, 'feather-1').map((r) => r.seq), [1, 2, 3, 4, 5]);
  });

  it('the generated EC certificate: no cipher suite in common with the ATWINC1500, nothing stored', async () => {
    const board = await startBoard(group, 'feather-ec', binary, {
      gateway: `127.0.0.1:${ecGateway.tlsPort}`,
      readings: 3,
      extraArgs: ['--winc-roots', files.ecRoots],
    });
    // The gateway found no suite in common (its key is EC; the chip offers RSA key exchange only).
    const first = await board.child.waitFor(/^host: tls refused: handshake failed: sslv3 alert handshake failure$/, 60_000);
    await board.child.waitFor(/^host: tls refused: handshake failed: sslv3 alert handshake failure$/, 60_000, first.index + 1);
    await board.child.waitFor(/^host: reading limit \d+ reached$/, 60_000);
    assert.ok(!board.child.lines.some((l) => l.startsWith('sheetlog: hello ok')));
    assert.deepEqual(storedReadings(data.ec, 'feather-1'), []);
  });

  it('another certificate in the root store: the gateway is not trusted, nothing stored', async () => {
    const before = storedReadings(data.rsa, 'feather-1').length;
    const board = await startBoard(group, 'feather-untrusted', binary, {
      gateway: `127.0.0.1:${rsaGateway.tlsPort}`,
      readings: 3,
      extraArgs: ['--winc-roots', files.otherRoots],
    });
    const first = await board.child.waitFor(/^host: tls refused: certificate not accepted: /, 60_000);
    await board.child.waitFor(/^host: tls refused: certificate not accepted: /, 60_000, first.index + 1);
    assert.ok(!board.child.lines.some((l) => l.startsWith('sheetlog: hello ok')));
    assert.equal(storedReadings(data.rsa, 'feather-1').length, before);
  });
});
