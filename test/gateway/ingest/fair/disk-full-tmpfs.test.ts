import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, unlinkSync, writeSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startGatewayProcess } from '../../../helpers/gateway-process.js';
import { parseCsv } from '../../../../gateway/sinks/csv/rfc4180.js';
import { LineClient } from '../../../helpers/line-client.js';
import { waitFor } from '../../../helpers/wait.js';
import { cleanupStack } from '../../../helpers/cleanup.js';

/**
 * A real full file system: the data directory on a small tmpfs, filled up. Needs root (mount); CI
 * runs as root, so there a failed mount is a failure, elsewhere a loud skip.
 */
function mountTmpfs(sizeKb: number): { dir: string; unmount(): void } | string {
  const dir = mkdtempSync(join(tmpdir(), 'sheetlog-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    return `cannot mount a tmpfs (${String(e).split('\n')[0]}): run as root. In CI this is a failure.`;
  }
  return {
    dir,
    unmount() {
      execFileSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes a filler file until the file system refuses (ENOSPC). */
function fill(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(16 * 1024, 120);
  try {
    for (let i = 0; i < 1_000_000; i++) writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
}

const probe = mountTmpfs(64);
const skip = typeof probe === 'string' && process.env.CI !== 'true' ? probe : false;
if (typeof probe === 'string') {
  if (skip) process.stderr.write(`\n*** SKIPPED disk-full tmpfs test: ${probe}\n\n`);
} else probe.unmount();

function line(seq: number): string {
  return `R ${seq} - a="${'x'.repeat(190)}" b="${'y'.repeat(190)}" v=${seq}`;
}

test('a full tmpfs: BUSY instead of ERR INTERNAL, SIGTERM exits 0, and after a restart nothing is lost or torn', { skip }, async (t) => {
  const later = cleanupStack(t); // stops processes before the tmpfs is unmounted
  const mounted = mountTmpfs(12 * 1024);
  if (typeof mounted === 'string') throw new Error(mounted);
  later(() => mounted.unmount());
  const data = join(mounted.dir, 'data');
  const config = join(mounted.dir, 'config.json');
  writeFileSync(config, JSON.stringify({ dataDir: data, tcp: { host: '127.0.0.1', port: 0 }, sinks: { enabled: ['csv'] }, store: { busyRetryAfterMs: 3000 } }));
  let gw = await startGatewayProcess(['--config', config]);
  later(() => gw.stop('SIGKILL'));
  const csv = join(data, 'csv', 'readings.csv');

  const board = await LineClient.open(gw.port);
  later(() => board.socket.destroy());
  board.send('HELLO tmpfs-1 secret boot=1 up=0');
  assert.match((await board.next()) ?? '', /^HELLO OK /);
  board.send(line(1));
  assert.equal(await board.next(), 'ACK 1');
  await waitFor(() => existsSync(csv) && statSync(csv).size > 400, 'the CSV sink to write reading 1', 60_000);

  fill(join(mounted.dir, 'filler'));
  let seq = 1;
  let busy: string | null = null;
  const replies: string[] = [];
  // Bounded: a 12 MB tmpfs that is full refuses long before this many readings.
  while (busy === null && seq < 5000) {
    const batch = Array.from({ length: 50 }, () => line(++seq));
    board.send(...batch);
    for (;;) {
      const reply = await board.next(20000);
      assert.notEqual(reply, null, `the connection was closed; replies: ${replies.slice(-5).join(' | ')}`);
      replies.push(reply as string);
      if ((reply as string).startsWith('BUSY')) {
        busy = reply;
        break;
      }
      assert.doesNotMatch(reply as string, /^ERR/);
      if (reply === `ACK ${seq}`) break;
    }
  }
  assert.equal(busy, 'BUSY 3000');
  // A new device registering on first use while the disk is full: BUSY too (not ERR INTERNAL),
  // nothing half-registered, and the connection is not closed on it.
  const newcomer = await LineClient.open(gw.port);
  later(() => newcomer.socket.destroy());
  newcomer.send('HELLO tmpfs-new secret boot=1 up=0');
  assert.equal(await newcomer.next(20000), 'BUSY 3000');
  newcomer.send('PING');
  assert.equal(newcomer.socket.destroyed, false);
  const acked = Math.max(1, ...replies.filter((r) => r.startsWith('ACK ')).map((r) => Number(r.slice(4))));

  // SIGTERM while the disk is full: the held connection hears BYE, the process exits 0.
  const code = await gw.stop('SIGTERM');
  assert.equal(code, 0, gw.stderr());
  assert.equal((await board.until((l) => l === 'BYE').catch(() => ({ line: 'closed' }))).line === 'BYE' || board.socket.destroyed, true);

  // Space again: restart; every ACKed reading is there, the CSV has no torn line, the rest is resent.
  unlinkSync(join(mounted.dir, 'filler'));
  gw = await startGatewayProcess(['--config', config]);
  const again = await LineClient.open(gw.port);
  later(() => again.socket.destroy());
  again.send('HELLO tmpfs-1 secret boot=1 up=0');
  const hello = (await again.next()) ?? '';
  const last = Number(hello.split(' ').at(-1));
  assert.ok(last >= acked, `HELLO OK last=${last} but ACK ${acked} was sent`);
  again.send(...Array.from({ length: seq - last }, (_, i) => line(last + 1 + i)));
  if (seq > last) assert.equal((await again.until((l) => l === `ACK ${seq}`, 30000)).line, `ACK ${seq}`);
  // The long layout has a row per field: one `v` row per reading.
  const vRows = () => parseCsv(readFileSync(csv, 'utf8')).records.filter((r) => r.includes('v'));
  await waitFor(() => vRows().length >= seq, 'the CSV sink to catch up', 60000);
  assert.equal(await gw.stop('SIGTERM'), 0);
  const parsed = parseCsv(readFileSync(csv, 'utf8'));
  assert.equal(parsed.torn, null, 'no torn line');
  const width = parsed.records[0]?.length;
  for (const r of parsed.records) assert.equal(r.length, width, `a record of ${r.length} fields: ${r.join(',')}`);
  assert.equal(vRows().length, seq, 'every reading in the CSV exactly once');
});
