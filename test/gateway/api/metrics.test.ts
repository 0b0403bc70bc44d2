import { test } from 'node:test';
import assert from 'node:assert/strict';
import { register as globalRegistry } from 'prom-client';
import type { SinkStatus } from '../../../gateway/api/sync-status.js';
import { startTestApp } from '../../helpers/app.js';
import { http } from '../../helpers/http.js';
import { LineClient } from '../../helpers/line-client.js';

/** The value of one sample line (`name{labels} value`) of a Prometheus text exposition. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('/metrics exposes ingest counters, NAKs by code, commit latency, buffer and sync series', async (t) => {
  const sinks: SinkStatus[] = [
    {
      name: 'sheets',
      kind: 'google-sheets',
      state: 'backoff',
      target: null,
      cursor: 1,
      lastPushAt: null,
      lastError: { at: 0, code: 'RATE_LIMITED', message: '429' },
      rowsWritten: 1,
      requests: 7,
      errors: 3,
      throttled: 2,
      quota: { used: 12, limit: 60, windowMs: 60000 },
      backoffUntil: Date.now() + 60_000,
    },
  ];
  const gw = await startTestApp({}, undefined, undefined, { syncStatus: { sinks: () => sinks } });
  t.after(() => gw.stop());
  const c = await LineClient.open(gw.port);
  t.after(() => c.close());
  c.send('HELLO m1 tok boot=1', 'R 1 - a=1', 'R 2 - a=2', 'R 3 - a=', 'R 4 - a=4');
  await c.until((l) => l === 'ACK 4');

  const r = await http(gw.httpPort, 'GET', '/metrics');
  assert.equal(r.status, 200);
  assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  const m = r.text;
  assert.equal(sample(m, 'sheetlog_readings_accepted_total'), 3);
  assert.equal(sample(m, 'sheetlog_readings_stored_total'), 3);
  assert.equal(sample(m, 'sheetlog_readings_naked_total{code="BAD_VALUE"}'), 1);
  assert.equal(sample(m, 'sheetlog_connections'), 1);
  assert.equal(sample(m, 'sheetlog_connections_total'), 1);
  assert.equal(sample(m, 'sheetlog_devices_connected'), 1);
  assert.ok(sample(m, 'sheetlog_commit_duration_seconds_count')! >= 1);
  assert.ok(sample(m, 'sheetlog_commit_batch_ops_sum')! >= 4, 'register + readings + stats went through commits');
  // The default CSV sink may or may not have taken the three readings yet.
  const buffered = sample(m, 'sheetlog_buffer_rows')!;
  assert.ok(buffered >= 0 && buffered <= 3, `buffer rows ${buffered}`);
  assert.equal(sample(m, 'sheetlog_buffer_max_rows'), gw.config.store.maxBufferRows);
  assert.ok(sample(m, 'sheetlog_buffer_bytes')! > 0);
  assert.equal(sample(m, 'sheetlog_sync_sinks'), 1);
  assert.equal(sample(m, 'sheetlog_sync_pending_rows{sink="sheets"}'), 2);
  assert.equal(sample(m, 'sheetlog_sync_requests_total{sink="sheets"}'), 7);
  assert.equal(sample(m, 'sheetlog_sync_errors_total{sink="sheets"}'), 3);
  assert.equal(sample(m, 'sheetlog_sync_throttled_total{sink="sheets"}'), 2);
  assert.equal(sample(m, 'sheetlog_sync_rows_total{sink="sheets"}'), 1);
  assert.equal(sample(m, 'sheetlog_sync_quota_used{sink="sheets"}'), 12);
  assert.ok(sample(m, 'sheetlog_sync_backoff_seconds{sink="sheets"}')! > 50);
  assert.ok(sample(m, 'sheetlog_sync_lag_seconds{sink="sheets"}')! >= 0);
  assert.match(m, /^process_cpu_user_seconds_total /m, 'process metrics included');

  // Scrapes do not accumulate: counters are read from the gateway, not added up per scrape.
  const again = await http(gw.httpPort, 'GET', '/metrics');
  assert.equal(sample(again.text, 'sheetlog_readings_accepted_total'), 3);
  assert.equal(sample(again.text, 'sheetlog_sync_throttled_total{sink="sheets"}'), 2);
});

test('each gateway has its own registry; the global prom-client registry stays empty', async (t) => {
  const a = await startTestApp();
  t.after(() => a.stop());
  const b = await startTestApp();
  t.after(() => b.stop());
  const c = await LineClient.open(a.port);
  t.after(() => c.close());
  c.send('HELLO only-a tok boot=1', 'R 1 - x=1');
  await c.until((l) => l === 'ACK 1');
  assert.equal(sample((await http(a.httpPort, 'GET', '/metrics')).text, 'sheetlog_readings_accepted_total'), 1);
  assert.equal(sample((await http(b.httpPort, 'GET', '/metrics')).text, 'sheetlog_readings_accepted_total'), 0);
  assert.equal((await globalRegistry.metrics()).includes('sheetlog_'), false);
});

test('/metrics refuses methods other than GET', async (t) => {
  const gw = await startTestApp();
  t.after(() => gw.stop());
  const r = await http(gw.httpPort, 'POST', '/metrics');
  assert.equal(r.status, 405);
  assert.equal(r.json.reason.code, 'METHOD_NOT_ALLOWED');
});
