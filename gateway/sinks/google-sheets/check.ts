import { stat } from 'node:fs/promises';
import { LONG_COLUMNS, LONG_REQUIRED_COLUMNS, type Layout } from '../layout.js';
import { RateLimiter } from '../rate-limiter.js';
import { systemTimers } from '../../time/timers.js';
import { requestToken, SheetsApi } from './api.js';
import { createAuthClient } from './auth-client.js';
import { describeCredentials, readCredentials } from './credentials.js';
import { loadGoogleLibraries } from './libraries.js';
import { quoteTitle } from './encoder.js';
import { classify } from './errors.js';
import { refreshTokenNotice } from './token-age.js';

export interface CheckOptions {
  credentials: string;
  spreadsheetId: string;
  tab: string;
  layout: Layout;
  rootUrl: string;
  tokenUrl: string;
  timeoutMs: number;
  out: (line: string) => void;
  /** Epoch ms, for the refresh token's age. Default Date.now(). */
  now?: () => number;
}

/**
 * `sheetlog auth check`: the credentials, a token, the spreadsheet and the tab, one line each,
 * with what to do when something is wrong. Resolves true when sync can work.
 */
export async function checkSheets(o: CheckOptions): Promise<boolean> {
  const fail = (what: string, e: unknown) => {
    const f = classify(e);
    o.out(`${what}: FAILED (${f.code}) ${f.message}`);
    return false;
  };
  let creds;
  try {
    creds = await readCredentials(o.credentials);
  } catch (e) {
    return fail('credentials', e);
  }
  const mode = (await stat(o.credentials)).mode & 0o777;
  o.out(`credentials: ${describeCredentials(creds)} (${o.credentials}, mode ${mode.toString(8)})`);
  if ((mode & 0o077) !== 0) o.out(`  warning: ${o.credentials} is readable by other users: chmod 600 ${o.credentials}`);
  let lib;
  let auth;
  try {
    lib = await loadGoogleLibraries();
    auth = createAuthClient(lib.auth, creds, { tokenUrl: o.tokenUrl, timeoutMs: o.timeoutMs });
    await requestToken(auth);
    o.out('token: ok (Google issued an access token)');
    const notice = refreshTokenNotice(creds, (o.now ?? Date.now)(), o.credentials);
    if (notice !== null) o.out(`  warning: ${notice.message}`);
  } catch (e) {
    return fail('token', e);
  }
  if (o.spreadsheetId === '') {
    o.out('spreadsheet: not configured (set sheets.spreadsheetId)');
    return false;
  }
  const limiter = new RateLimiter({ readsPerWindow: 10, writesPerWindow: 10, windowMs: 60_000 }, systemTimers);
  const api = new SheetsApi(lib.sheets, auth, { rootUrl: o.rootUrl, timeoutMs: o.timeoutMs, limiter });
  let meta;
  try {
    meta = await api.spreadsheet(o.spreadsheetId);
  } catch (e) {
    const f = classify(e);
    const who = describeCredentials(creds);
    const hint = f.code === 'NOT_FOUND' || f.code === 'PERMISSION' ? ` (share it with ${who} as an editor)` : '';
    o.out(`spreadsheet ${o.spreadsheetId}: FAILED (${f.code}) ${f.message}${hint}`);
    return false;
  }
  o.out(`spreadsheet: "${meta.title}" (${o.spreadsheetId}), time zone ${meta.timeZone ?? 'unknown'}, tabs: ${meta.sheets.map((s) => s.title).join(', ')}`);
  if (o.layout === 'per-device') {
    o.out('tabs: one per device, created on the first write');
    return true;
  }
  const sheet = meta.sheets.find((s) => s.title.toLowerCase() === o.tab.toLowerCase());
  if (!sheet) {
    o.out(`tab "${o.tab}": not there yet; it is created on the first write`);
    return true;
  }
  try {
    const [header = [], columnA = []] = await api.batchGet(o.spreadsheetId, [`${quoteTitle(sheet.title)}!1:1`, `${quoteTitle(sheet.title)}!A:A`]);
    const found = (header[0] ?? []).map(String);
    // A header from before units (no `unit` column) is sheetlog's too: `unit` is added at its right.
    const ours = found.length === 0 || [LONG_COLUMNS, LONG_REQUIRED_COLUMNS].some((cols) => found.join('\u0000') === cols.join('\u0000'));
    o.out(
      `tab "${sheet.title}": ${found.length === 0 ? 'empty' : ours ? "sheetlog's header" : `another header (${found.slice(0, 4).join(', ')}…)`}, ` +
        `${Math.max(0, columnA.length - 1)} data rows, grid ${sheet.rowCount} x ${sheet.columnCount}`,
    );
    if (!ours) o.out(`  sheetlog will not write over it: rename that tab or set sheets.tab`);
    return ours;
  } catch (e) {
    return fail(`tab "${sheet.title}"`, e);
  }
}
