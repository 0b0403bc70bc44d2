import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import tls from 'node:tls';
import { join } from 'node:path';
import { generatedPaths, loadOrCreateTlsCredentials, TlsSetupError, tlsFingerprint } from '../../../gateway/ingest/tcp/tls-credentials.js';
import { configSchema } from '../../../gateway/config/schema.js';
import { buildProgram } from '../../../gateway/cli/program.js';
import { runFleet } from '../../../firmware-sim/run.js';
import { systemScheduler } from '../../../firmware-sim/scheduler.js';
import { normalizeFingerprint, TcpTransport, type BoardTls } from '../../../firmware-sim/transport-tcp.js';
import { startTestApp, tempDir, type TestApp } from '../../helpers/app.js';
import { waitFor } from '../../helpers/wait.js';

/** A directory of the test's own, removed after it. */
function scratch(t: { after(fn: () => unknown): void }): string {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a self-signed EC certificate is generated once in <data>/tls (key 0600) and reused; its fingerprint is what tls fingerprint prints', async (t) => {
  const data = scratch(t);
  assert.equal(tlsFingerprint(data, { certFile: null, keyFile: null }), null, 'nothing is created by reading');
  const first = await loadOrCreateTlsCredentials(data, { certFile: null, keyFile: null });
  assert.equal(first.generated, true);
  assert.match(first.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  assert.equal(statSync(generatedPaths(data).keyFile).mode & 0o777, 0o600);
  const again = await loadOrCreateTlsCredentials(data, { certFile: null, keyFile: null });
  assert.equal(again.generated, false);
  assert.equal(again.fingerprint256, first.fingerprint256);
  assert.equal(tlsFingerprint(data, { certFile: null, keyFile: null })?.fingerprint256, first.fingerprint256);

  const printed: string[] = [];
  await buildProgram((s) => printed.push(s)).parseAsync(['node', 'sheetlog', 'tls', 'fingerprint', '--data', data]);
  assert.equal(printed.join(''), `${first.fingerprint256}\n`);

  // --sha1: what the ESP8266's BearSSL setFingerprint() takes
  const sha1: string[] = [];
  await buildProgram((s) => sha1.push(s)).parseAsync(['node', 'sheetlog', 'tls', 'fingerprint', '--data', data, '--sha1']);
  assert.equal(sha1.join(''), `${new X509Certificate(first.cert).fingerprint}\n`);
  assert.match(sha1.join(''), /^([0-9A-F]{2}:){19}[0-9A-F]{2}\n$/);
});

test('configured certificate files are used as they are; a key of another certificate is a clear TLS_INVALID error', async (t) => {
  const a = await loadOrCreateTlsCredentials(scratch(t), { certFile: null, keyFile: null });
  const b = await loadOrCreateTlsCredentials(scratch(t), { certFile: null, keyFile: null });
  const dir = scratch(t);
  writeFileSync(join(dir, 'a.crt'), a.cert);
  writeFileSync(join(dir, 'a.key'), a.key);
  writeFileSync(join(dir, 'b.key'), b.key);
  const used = await loadOrCreateTlsCredentials(scratch(t), { certFile: join(dir, 'a.crt'), keyFile: join(dir, 'a.key') });
  assert.equal(used.fingerprint256, a.fingerprint256);
  assert.equal(used.generated, false);
  await assert.rejects(loadOrCreateTlsCredentials(scratch(t), { certFile: join(dir, 'a.crt'), keyFile: join(dir, 'b.key') }), (e: unknown) => e instanceof TlsSetupError && /does not belong/.test(e.message));
  await assert.rejects(loadOrCreateTlsCredentials(scratch(t), { certFile: join(dir, 'missing.crt'), keyFile: join(dir, 'a.key') }), (e: unknown) => e instanceof TlsSetupError && /ENOENT/.test(e.message));
  assert.equal(configSchema.safeParse({ tcp: { tls: { certFile: 'x.crt' } } }).success, false, 'both files or neither');
  assert.equal(configSchema.parse({}).tcp.tls.port, 8490);
});

async function tlsGateway(t: { after(fn: () => unknown): void }): Promise<{ gw: TestApp; port: number; fingerprint: string; cert: string }> {
  const gw = await startTestApp({ tcp: { host: '127.0.0.1', port: 0, tls: { enabled: true, port: 0 } } });
  t.after(() => gw.stop());
  const listening = gw.listening.tls!;
  return { gw, port: listening.port, fingerprint: listening.fingerprint256, cert: readFileSync(listening.certFile, 'utf8') };
}

/** Every byte a client gets until the gateway closes. */
function collect(socket: NodeJS.ReadableStream & { on(e: 'error', f: () => void): unknown }): Promise<string> {
  let text = '';
  socket.on('error', () => {});
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  return new Promise((resolve) => socket.on('close' as never, () => resolve(text)));
}

test('a board over TLS, trusting the certificate, is acknowledged like one over plain TCP', async (t) => {
  const { gw, port, cert } = await tlsGateway(t);
  const socket = tls.connect({ host: '127.0.0.1', port, ca: cert, checkServerIdentity: () => undefined });
  await once(socket, 'secureConnect');
  const replies = collect(socket);
  socket.write('HELLO tls-1 secret-token boot=3 up=0\nR 1 - temp_c=21.5\nBYE\n');
  const text = await replies;
  assert.match(text, /^HELLO OK \d+ 0\nACK 1\nBYE\n$/);
  assert.equal(gw.app.store.readings.after(0, 10).length, 1);
});

test('a plain-text client on the TLS port gets nothing of the protocol and is counted; the plain port is unaffected', async (t) => {
  const { gw, port } = await tlsGateway(t);
  const plain = connect({ host: '127.0.0.1', port });
  await once(plain, 'connect');
  const got = collect(plain);
  plain.write('HELLO sneaky secret-token boot=1\nR 1 - v=1\n');
  const text = await got;
  assert.doesNotMatch(text, /HELLO|ACK|ERR/);
  await waitFor(() => (gw.app.counters.limits.get('TLS_HANDSHAKE') ?? 0) === 1, 'the failed handshake counted');
  assert.equal(gw.app.store.readings.after(0, 10).length, 0);
});

test('the fleet over TLS: pinned fingerprint and CA both work, every acknowledged reading stored once; a wrong fingerprint never opens', async (t) => {
  const { gw, port, fingerprint, cert } = await tlsGateway(t);
  for (const [prefix, trust] of [['pin', { fingerprint256: fingerprint.toLowerCase().replace(/:/g, '') }], ['ca', { ca: cert }]] as [string, BoardTls][]) {
    const transport = () => new TcpTransport({ host: '127.0.0.1', port, scheduler: systemScheduler, tls: trust });
    const abort = new AbortController();
    const report = await runFleet({
      transport: transport(),
      auditTransport: transport(),
      storePath: join(gw.dataDir, 'sheetlog.db'),
      idPrefix: prefix,
      devices: 5,
      ratePerDevice: 50,
      durationMs: null,
      signal: abort.signal,
      onReadingSent: (sent) => sent === 100 && abort.abort(),
      drainTimeoutMs: 60_000,
      seed: 1,
    });
    assert.deepEqual(report.problems, [], prefix);
    assert.equal(report.lost, 0, prefix);
    assert.ok(report.snapshot.totals.acked >= 100, prefix);
    assert.equal(report.store?.duplicates, 0, prefix);
    assert.equal(report.store?.missing, 0, prefix);
  }

  const wrong = new TcpTransport({ host: '127.0.0.1', port, scheduler: systemScheduler, tls: { fingerprint256: '00'.repeat(32) } });
  t.after(() => wrong.close());
  const closed = await new Promise<string>((resolve, reject) => {
    wrong.open('mallory', { onOpen: () => reject(new Error('opened with a wrong fingerprint')), onLine: () => {}, onClose: resolve });
  });
  assert.equal(closed, 'TLS_FINGERPRINT_MISMATCH');
  assert.throws(() => normalizeFingerprint('12:34'), /64 hex digits/);
});
