import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { chmod, open, readFile, rename } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CredentialsError, parseCredentials, SHEETS_SCOPE, type PublishingStatus } from './credentials.js';
import { TESTING_TOKEN_LIFETIME_MS, WARN_AFTER_MS } from './token-age.js';

export interface LoginOptions {
  /** The installed-app client file (from Google Cloud); the refresh token is added to it. */
  credentials: string;
  tokenUrl: string;
  authUrl: string;
  /** Loopback port for the redirect (0: any free one). */
  port: number;
  timeoutMs: number;
  /** Where the URL and progress go (stdout in the CLI). */
  out: (line: string) => void;
  /** The OAuth app's publishing status as the person states it; recorded in the file. Default: what the file says. */
  publishingStatus?: PublishingStatus;
  /** Epoch ms, recorded as the token's issue time. Default Date.now(). */
  now?: () => number;
}

/**
 * The installed-app loopback flow (RFC 8252, with PKCE): listens on 127.0.0.1, prints the consent
 * URL, receives the redirect with the code, exchanges it, and stores the refresh token in the
 * credentials file (mode 0600). The device-code flow is not an option: Google does not allow
 * the spreadsheets scope with it.
 */
export async function loginInstalledApp(o: LoginOptions): Promise<{ file: string }> {
  const original = JSON.parse(await readFile(o.credentials, 'utf8').catch(() => {
    throw new CredentialsError(`cannot read ${o.credentials}: download the OAuth client (Desktop app) JSON from Google Cloud first`);
  })) as Record<string, unknown>;
  const creds = parseCredentials(original, o.credentials);
  if (creds.kind !== 'oauth-client') throw new CredentialsError(`${o.credentials} is a service-account key: it needs no login (share the spreadsheet with its email instead)`);

  const server = createServer();
  server.listen(o.port, '127.0.0.1');
  await once(server, 'listening');
  try {
    const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2callback`;
    // Imported here, not at module load: the CLI (`sheetlog start`) loads this module too.
    const { CodeChallengeMethod, OAuth2Client } = await import('google-auth-library');
    const client = new OAuth2Client({
      clientId: creds.clientId,
      clientSecret: creds.clientSecret,
      redirectUri,
      endpoints: { oauth2TokenUrl: o.tokenUrl, oauth2AuthBaseUrl: o.authUrl },
    });
    const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
    const state = randomBytes(16).toString('hex');
    const url = client.generateAuthUrl({
      access_type: 'offline',
      prompt: 'consent',
      scope: [SHEETS_SCOPE],
      state,
      ...(codeChallenge ? { code_challenge: codeChallenge, code_challenge_method: CodeChallengeMethod.S256 } : {}),
    });
    o.out('Open this address in a browser on this machine, sign in, and allow access to Google Sheets:');
    o.out(url);
    o.out(`Waiting for Google to send the browser back to ${redirectUri} ...`);
    const code = await waitForCode(server, state, o.timeoutMs);
    const { tokens } = await client.getToken({ code, codeVerifier, redirect_uri: redirectUri });
    if (!tokens.refresh_token) {
      throw new CredentialsError('Google returned no refresh token: remove sheetlog\'s access at https://myaccount.google.com/permissions and run `sheetlog auth login` again');
    }
    const issuedAt = (o.now ?? Date.now)();
    const status = o.publishingStatus ?? creds.publishingStatus;
    await writeSecretJson(o.credentials, {
      ...original,
      refresh_token: tokens.refresh_token,
      // Google does not tell a client when a token expires: sheetlog records what it needs to warn.
      refresh_token_issued_at: new Date(issuedAt).toISOString(),
      ...(status === null ? {} : { publishing_status: status }),
    });
    o.out(`Signed in. The refresh token is stored in ${o.credentials} (mode 0600). Check it with \`sheetlog auth check\`.`);
    if (status !== 'production') o.out(testingNote(o.credentials, issuedAt, status));
    return { file: o.credentials };
  } finally {
    server.close();
    server.closeAllConnections();
  }
}

/** What `auth login` says when it stores a token that Google expires after 7 days. */
function testingNote(file: string, issuedAt: number, status: PublishingStatus | null): string {
  const at = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const why =
    status === 'testing'
      ? 'The OAuth app is in "Testing" publishing status'
      : `The OAuth app's publishing status is not stated, so sheetlog assumes "Testing" (Google's default; if the app is published, run again with --publishing-status production or set "publishing_status": "production" in ${file})`;
  return (
    `Note: ${why}: Google expires this refresh token 7 days after it was issued, at about ${at(issuedAt + TESTING_TOKEN_LIFETIME_MS)}, and sync stops then. ` +
    `From ${at(issuedAt + WARN_AFTER_MS)} the gateway warns (log, GET /api/v1/sync, dashboard, \`sheetlog auth check\`); run \`sheetlog auth login\` again before it expires, or publish the app (docs/SHEETS.md).`
  );
}

function waitForCode(server: ReturnType<typeof createServer>, state: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new CredentialsError(`no answer from the browser within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const u = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (u.pathname !== '/oauth2callback') {
        res.writeHead(404).end();
        return;
      }
      const error = u.searchParams.get('error');
      const code = u.searchParams.get('code');
      const ok = !error && code && u.searchParams.get('state') === state;
      res.writeHead(ok ? 200 : 400, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
      res.end(ok ? 'sheetlog: signed in. You can close this tab.\n' : `sheetlog: sign-in failed (${error ?? 'unexpected answer'}).\n`);
      clearTimeout(timer);
      if (ok) resolve(code);
      else reject(new CredentialsError(`sign-in failed: ${error ?? 'the answer did not match this login (state)'}`));
    });
  });
}

/** Replaces a file atomically with JSON readable only by its owner. */
export async function writeSecretJson(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(`${JSON.stringify(value, null, 2)}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}
