import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loginInstalledApp } from '../../../../gateway/sinks/google-sheets/login.js';
import { runCli } from '../../../helpers/gateway-process.js';
import { longKeys, readings } from '../readings.js';
import { keysOfTab, sheetsHarness, writeUntilDelivered, SPREADSHEET } from './harness.js';

/** The client JSON as Google Cloud's console downloads it for a Desktop app. */
function installedClient(h: Awaited<ReturnType<typeof sheetsHarness>>): string {
  const c = h.emu.oauthClientCredentials();
  const file = join(h.dir, 'client.json');
  writeFileSync(file, JSON.stringify({ installed: { client_id: c.client_id, client_secret: c.client_secret, redirect_uris: ['http://localhost'], auth_uri: h.emu.authUrl, token_uri: h.emu.tokenUrl } }));
  return file;
}

test('auth login: loopback flow with PKCE; the refresh token lands in the file (0600) and the sink can write with it', async (t) => {
  const h = await sheetsHarness();
  t.after(() => h.close());
  const file = installedClient(h);
  const lines: string[] = [];
  let browse: Promise<Response> | null = null;
  const done = loginInstalledApp({
    credentials: file,
    tokenUrl: h.emu.tokenUrl,
    authUrl: h.emu.authUrl,
    port: 0,
    timeoutMs: 10000,
    publishingStatus: 'testing',
    now: () => Date.UTC(2026, 11, 1, 9, 30),
    out: (l) => {
      lines.push(l);
      // The "browser": the emulator consents at once and redirects to the loopback address.
      if (l.startsWith(h.emu.authUrl)) browse = fetch(l);
    },
  });
  await done;
  const page = await browse!;
  assert.match(await page.text(), /signed in/);
  const url = new URL(lines.find((l) => l.startsWith(h.emu.authUrl))!);
  assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(url.searchParams.get('access_type'), 'offline');
  assert.equal(url.searchParams.get('scope'), 'https://www.googleapis.com/auth/spreadsheets');
  assert.match(url.searchParams.get('redirect_uri') ?? '', /^http:\/\/127\.0\.0\.1:\d+\/oauth2callback$/);
  const stored = JSON.parse(readFileSync(file, 'utf8')) as { installed: unknown; refresh_token?: string; refresh_token_issued_at?: string; publishing_status?: string };
  assert.ok(stored.installed, 'the client part is kept');
  assert.ok(stored.refresh_token);
  assert.equal(stored.refresh_token_issued_at, '2026-12-01T09:30:00.000Z', 'the issue time is recorded for the Testing-status warning');
  assert.equal(stored.publishing_status, 'testing');
  assert.match(lines.join('\n'), /Note: The OAuth app is in "Testing" publishing status: Google expires this refresh token 7 days after it was issued, at about 2026-12-08 09:30 UTC.*From 2026-12-05 09:30 UTC the gateway warns/);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.ok(!lines.join('\n').includes(stored.refresh_token!), 'the token is never printed');

  const sink = h.sink({ credentials: file });
  await sink.start();
  await writeUntilDelivered(sink, readings(3));
  assert.deepEqual(keysOfTab(h.tab('readings')), longKeys(readings(3)));
});

test('auth login refuses a service-account key, and a redirect that does not match the login', async (t) => {
  const h = await sheetsHarness();
  t.after(() => h.close());
  const common = { tokenUrl: h.emu.tokenUrl, authUrl: h.emu.authUrl, port: 0, timeoutMs: 5000 };
  await assert.rejects(loginInstalledApp({ ...common, credentials: h.credentials, out: () => {} }), /needs no login/);
  const file = installedClient(h);
  await assert.rejects(
    loginInstalledApp({
      ...common,
      credentials: file,
      out: (l) => {
        if (!l.startsWith(h.emu.authUrl)) return;
        const redirect = new URL(l).searchParams.get('redirect_uri')!;
        void fetch(`${redirect}?code=forged&state=wrong`).catch(() => {});
      },
    }),
    /did not match this login/,
  );
  assert.equal((JSON.parse(readFileSync(file, 'utf8')) as { refresh_token?: string }).refresh_token, undefined);
});

test('sheetlog auth check prints what it found; a spreadsheet it cannot open is one clear line and exit 1', async (t) => {
  const h = await sheetsHarness();
  t.after(() => h.close());
  const sink = h.sink();
  await sink.start();
  await writeUntilDelivered(sink, readings(2));
  const config = (spreadsheetId: string) => {
    const path = join(h.dir, `config-${spreadsheetId}.json`);
    writeFileSync(path, JSON.stringify({ sheets: { spreadsheetId, credentials: h.credentials, rootUrl: h.emu.rootUrl, tokenUrl: h.emu.tokenUrl } }));
    return path;
  };
  const ok = await runCli(['auth', 'check', '--config', config(SPREADSHEET)]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^credentials: service account sheetlog-writer@\S+ \(.*credentials\.json, mode 600\)$/m);
  assert.match(ok.stdout, /^token: ok/m);
  assert.match(ok.stdout, new RegExp(`^spreadsheet: ".*" \\(${SPREADSHEET}\\), time zone .*, tabs: Sheet1, readings$`, 'm'));
  assert.match(ok.stdout, new RegExp(`^tab "readings": sheetlog's header, ${longKeys(readings(2)).length} data rows, grid \\d+ x 9$`, 'm'));
  assert.ok(!ok.stdout.includes('PRIVATE KEY'));

  const missing = await runCli(['auth', 'check', '--config', config('nope')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stdout, /^spreadsheet nope: FAILED \(NOT_FOUND\) 404 .*share it with service account/m);
  assert.equal(missing.stderr.trim().split('\n').length, 1, missing.stderr);
  assert.doesNotMatch(missing.stderr, /\bat \w+ \(/, 'no stack trace');
});
