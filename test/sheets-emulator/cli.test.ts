// The CLI as a child process: flags, the credentials file, the URL line, clean shutdown.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sheets } from '@googleapis/sheets';
import { GoogleAuth, type JWT } from 'google-auth-library';
import { redirectTokenRequests } from './index.js';
import { asSheetsAuth } from './test-clients.js';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));

function run(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolves with the first stdout line (the URL line), or rejects if the process exits first. */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`exited ${code} before printing: ${err}`)));
  });
}

describe('sheets-emulator CLI', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sheets-emulator-cli-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('starts, writes a 0600 key the emulator accepts, serves the spreadsheets asked for (--strict-ids: only those), and stops on SIGTERM', async (t) => {
    const keyFile = join(dir, 'service-account.json');
    const child = run(['--port', '0', '--write-credentials', keyFile, '--spreadsheet', 'cli-book', '--faults', 'seed=3', '--strict-ids']);
    t.after(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const line = await firstLine(child);
    const url = /http:\/\/127\.0\.0\.1:\d+/.exec(line)?.[0];
    assert.ok(url, line);

    assert.equal((await stat(keyFile)).mode & 0o777, 0o600);
    const key = JSON.parse(await readFile(keyFile, 'utf8')) as { type: string; token_uri: string };
    assert.equal(key.type, 'service_account');
    assert.equal(key.token_uri, `${url}/token`);

    const auth = new GoogleAuth({ keyFile, scopes: ['https://www.googleapis.com/auth/spreadsheets'] });
    const client = (await auth.getClient()) as JWT;
    redirectTokenRequests(client, key.token_uri);
    const api = sheets({ version: 'v4', auth: asSheetsAuth(client), rootUrl: `${url}/`, retry: false });
    const got = await api.spreadsheets.get({ spreadsheetId: 'cli-book' });
    assert.equal(got.data.sheets?.[0]?.properties?.title, 'Sheet1');
    await assert.rejects(api.spreadsheets.get({ spreadsheetId: 'emulated-spreadsheet' }), (e: unknown) => (e as { status?: number }).status === 404);
    assert.match(line, /unknown spreadsheet ids: 404/);

    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
    await assert.rejects(fetch(`${url}/_emulator/state`), 'the port is closed after shutdown');
  });

  it('by default creates a spreadsheet on first use of an unknown id; GET /_emulator/spreadsheets/<id> shows its tabs', async (t) => {
    const keyFile = join(dir, 'first-use.json');
    const child = run(['--port', '0', '--write-credentials', keyFile]);
    t.after(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const line = await firstLine(child);
    assert.match(line, /unknown spreadsheet ids: created on first use/);
    const url = /http:\/\/127\.0\.0\.1:\d+/.exec(line)?.[0];
    assert.ok(url, line);
    const tabsOf = async (id: string): Promise<[number, unknown]> => {
      const res = await fetch(`${url}/_emulator/spreadsheets/${id}`);
      return [res.status, await res.json()];
    };
    assert.equal((await tabsOf('made-by-use'))[0], 404, 'unknown before its first use');

    const auth = new GoogleAuth({ keyFile, scopes: ['https://www.googleapis.com/auth/spreadsheets'] });
    const client = (await auth.getClient()) as JWT;
    redirectTokenRequests(client, `${url}/token`);
    const api = sheets({ version: 'v4', auth: asSheetsAuth(client), rootUrl: `${url}/`, retry: false });
    const got = await api.spreadsheets.get({ spreadsheetId: 'made-by-use' });
    assert.deepEqual(got.data.sheets?.map((s) => s.properties?.title), ['Sheet1']);
    await api.spreadsheets.values.update({ spreadsheetId: 'made-by-use', range: 'Sheet1!A1', valueInputOption: 'RAW', requestBody: { values: [['a', 1.5], [], ['b', true]] } });
    assert.deepEqual(await tabsOf('made-by-use'), [200, { tabs: { Sheet1: [['a', '1.5'], [], ['b', 'TRUE']] } }]);
    assert.equal((await api.spreadsheets.get({ spreadsheetId: 'emulated-spreadsheet' })).status, 200, 'the default spreadsheet still exists');

    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
  });

  it('rejects unknown flags and bad fault specs with exit code 2', async () => {
    for (const args of [['--bogus'], ['--faults', 'teapot=1']]) {
      const child = run(args);
      let stderr = '';
      child.stderr?.on('data', (c: Buffer) => {
        stderr += c.toString();
      });
      const [code] = (await once(child, 'exit')) as [number | null];
      assert.equal(code, 2, args.join(' '));
      assert.match(stderr, /sheets-emulator: .*(Unknown option|unknown fault)/);
    }
  });
});
