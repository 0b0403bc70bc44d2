import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../../../gateway/config/schema.js';
import { banner } from '../../../gateway/startup/banner.js';

test('the banner names each listener, each sink with its destination, the auth mode, and hints with the flags in use', () => {
  const config = configSchema.parse({ dataDir: '/var/lib/my data', udp: { enabled: true }, auth: { mode: 'required' } });
  const text = banner(config, { tcp: { host: '0.0.0.0', port: 8090 }, http: { host: '127.0.0.1', port: 8080 }, udp: { host: '0.0.0.0', port: 8091 } }, { configFile: '/etc/sheetlog.json' });
  assert.match(text, /boards connect over TCP to port 8090 \(data in \/var\/lib\/my data, auth required: only devices added/);
  assert.match(text, /tcp: +0\.0\.0\.0:8090\n/);
  assert.match(text, /dashboard: http:\/\/127\.0\.0\.1:8080\/ .*admin token in \/var\/lib\/my data\/admin-token/);
  assert.match(text, /udp: +0\.0\.0\.0:8091\n/);
  assert.match(text, /sink: +csv → \/var\/lib\/my data\/csv\/readings\.csv\n/);
  assert.match(text, /try it: +npx sheetlog send demo-1 --token secret --gateway 127\.0\.0\.1:8090 temp_c=21\.5\n/);
  assert.match(text, /devices: +npx sheetlog devices list --data '\/var\/lib\/my data' --config \/etc\/sheetlog\.json\n/);
});

test('a google-sheets sink shows its spreadsheet, tab and URL; several sinks each get a line', () => {
  const config = configSchema.parse({
    dataDir: 'data',
    http: { port: 'off' },
    sinks: { enabled: ['google-sheets', 'csv'] },
    sheets: { spreadsheetId: 'abc123', credentials: 'c.json' },
    csv: { layout: 'per-device' },
  });
  const text = banner(config, { tcp: { host: '0.0.0.0', port: 9000 } });
  assert.match(text, /dashboard: off/);
  assert.match(text, /sink: +google-sheets → spreadsheet abc123, tab "readings": https:\/\/docs\.google\.com\/spreadsheets\/d\/abc123\/edit\n/);
  assert.match(text, /sink: +csv → data\/csv\/<device>\.csv \(a file per device\)\n/);
  assert.match(text, /devices list --data data\n/);
});
