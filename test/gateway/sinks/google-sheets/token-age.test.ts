import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import pino from 'pino';
import { parseCredentials, type Credentials } from '../../../../gateway/sinks/google-sheets/credentials.js';
import { refreshTokenNotice, TokenAgeWatch } from '../../../../gateway/sinks/google-sheets/token-age.js';
import { startTestApp } from '../../../helpers/app.js';
import { runCli } from '../../../helpers/gateway-process.js';
import { http } from '../../../helpers/http.js';
import { ManualTimers } from '../../../helpers/manual-timers.js';
import { sheetsHarness, SPREADSHEET } from './harness.js';

const DAY = 86_400_000;
const ISSUED = Date.UTC(2026, 10, 21, 12, 0, 0);

function client(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { installed: { client_id: 'id-1.apps.googleusercontent.com', client_secret: 'secret' }, refresh_token: '1//token', refresh_token_issued_at: new Date(ISSUED).toISOString(), ...over };
}

const creds = (over: Record<string, unknown> = {}): Credentials => parseCredentials(client(over), 'client.json');

describe('refresh tokens of an OAuth app in Testing (Google expires them after 7 days)', () => {
  test('the credentials file records the issue time and the publishing status; unreadable values count as not recorded', () => {
    const c = creds({ publishing_status: 'Testing' });
    assert.equal(c.kind === 'oauth-client' && c.refreshTokenIssuedAt, ISSUED);
    assert.equal(c.kind === 'oauth-client' && c.publishingStatus, 'testing');
    const odd = creds({ publishing_status: 'maybe', refresh_token_issued_at: 'last tuesday' });
    assert.deepEqual(odd.kind === 'oauth-client' && [odd.refreshTokenIssuedAt, odd.publishingStatus], [null, null]);
  });

  test('no warning before day 5, then "expires in 3 days" ... "expired"; none in production or without a recorded issue time', () => {
    const testing = creds({ publishing_status: 'testing' });
    assert.equal(refreshTokenNotice(testing, ISSUED + 4 * DAY - 1, 'client.json'), null, 'day 4: nothing yet');
    const day5 = refreshTokenNotice(testing, ISSUED + 4 * DAY, 'client.json');
    assert.equal(day5?.code, 'REFRESH_TOKEN_EXPIRING');
    assert.equal(day5?.expiresAt, ISSUED + 7 * DAY);
    assert.match(day5!.message, /refresh token in client\.json \(issued 2026-11-21 12:00 UTC, app in "Testing" publishing status\) expires at 2026-11-28 12:00 UTC, in 3 days: sync stops then; run `sheetlog auth login` again/);
    assert.match(refreshTokenNotice(testing, ISSUED + 7 * DAY - 60_000, 'client.json')!.message, /in 1 day:/);
    const expired = refreshTokenNotice(testing, ISSUED + 7 * DAY, 'client.json');
    assert.equal(expired?.code, 'REFRESH_TOKEN_EXPIRED');
    assert.match(expired!.message, /expired at 2026-11-28 12:00 UTC/);

    assert.match(refreshTokenNotice(creds(), ISSUED + 5 * DAY, 'client.json')!.message, /assumed in "Testing" publishing status \(set "publishing_status": "production"/, 'not stated: assumed Testing, and says how to tell');
    assert.equal(refreshTokenNotice(creds({ publishing_status: 'production' }), ISSUED + 30 * DAY, 'client.json'), null);
    assert.equal(refreshTokenNotice(creds({ refresh_token_issued_at: undefined }), ISSUED + 30 * DAY, 'client.json'), null);
    const sa: Credentials = { kind: 'service-account', email: 'w@p.iam.gserviceaccount.com', privateKey: 'k', keyId: undefined };
    assert.equal(refreshTokenNotice(sa, ISSUED + 30 * DAY, 'key.json'), null);
  });

  test('the watch logs the warning when it appears and once a day after, re-reads the file hourly, and clears after a new login', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sheetlog-token-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'client.json');
    writeFileSync(file, JSON.stringify(client({ publishing_status: 'testing' })));
    const logged: { level: number; msg: string; code?: string }[] = [];
    const log = pino({ level: 'info' }, { write: (s: string) => void logged.push(JSON.parse(s)) });
    const timers = new ManualTimers(ISSUED + 3 * DAY);
    const watch = new TokenAgeWatch(file, timers, log);
    // Hour by hour: each check reads the file before it schedules the next.
    const settle = async (ms: number) => {
      for (let step = 0; step < ms; step += 3_600_000) {
        timers.advance(3_600_000);
        await watch.lastCheck;
      }
    };
    await watch.start();
    t.after(() => watch.stop());
    assert.deepEqual(watch.warnings(), []);
    await settle(DAY);
    assert.equal(watch.warnings().length, 1);
    assert.deepEqual(logged.map((l) => [l.level, l.code]), [[40, 'REFRESH_TOKEN_EXPIRING']]);
    await settle(3_600_000);
    assert.equal(logged.length, 1, 'not again within the day');
    await settle(DAY);
    assert.equal(logged.length, 2, 'again the next day');
    writeFileSync(file, JSON.stringify(client({ publishing_status: 'testing', refresh_token_issued_at: new Date(timers.now()).toISOString() })));
    await settle(3_600_000);
    assert.deepEqual(watch.warnings(), [], 'a fresh token: the warning is gone');
  });

  test('`sheetlog auth check` warns about a token on its fifth day', async (t) => {
    const h = await sheetsHarness();
    t.after(() => h.close());
    const c = h.emu.oauthClientCredentials();
    const file = join(h.dir, 'client.json');
    const issued = new Date(Date.now() - 4 * DAY - 3_600_000).toISOString();
    writeFileSync(file, JSON.stringify({ installed: { client_id: c.client_id, client_secret: c.client_secret }, refresh_token: c.refresh_token, refresh_token_issued_at: issued }), { mode: 0o600 });
    const config = join(h.dir, 'config.json');
    writeFileSync(config, JSON.stringify({ sheets: { spreadsheetId: SPREADSHEET, credentials: file, rootUrl: h.emu.rootUrl, tokenUrl: h.emu.tokenUrl } }));
    const r = await runCli(['auth', 'check', '--config', config]);
    assert.match(r.stdout, /^token: ok/m);
    assert.match(r.stdout, /^ {2}warning: the Google refresh token in \S+client\.json \(issued .* assumed in "Testing" publishing status .*\) expires at .* in 3 days: sync stops then/m);
  });
});

test('a running gateway warns in its log and in GET /api/v1/sync about a Testing token on its fifth day', async (t) => {
  const h = await sheetsHarness();
  t.after(() => h.close());
  const c = h.emu.oauthClientCredentials();
  const file = join(h.dir, 'client.json');
  const issued = new Date(Date.now() - 4 * DAY - 3_600_000).toISOString();
  writeFileSync(file, JSON.stringify({ installed: { client_id: c.client_id, client_secret: c.client_secret }, refresh_token: c.refresh_token, refresh_token_issued_at: issued, publishing_status: 'testing' }), { mode: 0o600 });
  const gw = await startTestApp({
    sinks: { enabled: ['google-sheets'] },
    sheets: { spreadsheetId: SPREADSHEET, credentials: file, rootUrl: h.emu.rootUrl, tokenUrl: h.emu.tokenUrl, timeZone: 'UTC' },
  });
  t.after(() => gw.stop());
  const warned = gw.logs.filter((l) => l['code'] === 'REFRESH_TOKEN_EXPIRING');
  assert.equal(warned.length, 1, 'one warning at start');
  assert.equal(warned[0]!['level'], 40);
  const reply = await http(gw.httpPort, 'GET', '/api/v1/sync');
  const sink = (reply.json as { result: { sinks: { name: string; warnings: string[] }[] } }).result.sinks.find((s) => s.name === 'google-sheets');
  assert.equal(sink?.warnings.length, 1);
  assert.match(sink!.warnings[0]!, /app in "Testing" publishing status\) expires at .* in 3 days: sync stops then/);
});
