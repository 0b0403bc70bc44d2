// Test harness: an emulator with an injected clock, and the REAL @googleapis/sheets and
// google-auth-library clients pointed at it in each supported way.

import { generateKeyPairSync } from 'node:crypto';
import { type sheets_v4, sheets } from '@googleapis/sheets';
import { type AuthClient, GoogleAuth, JWT, OAuth2Client } from 'google-auth-library';
import { type SheetsEmulator, type SheetsEmulatorOptions, redirectTokenRequests, startSheetsEmulator, WRITE_SCOPES } from './index.js';

export const SPREADSHEET_ID = 'emulated-spreadsheet';
export const SCOPES = [WRITE_SCOPES[0] as string];

export interface Harness {
  emu: SheetsEmulator;
  /** Moves the emulator's injected clock; nothing sleeps. */
  advance(ms: number): void;
  /** Service account, token endpoint path (jwt-bearer grant, redirected to the emulator). */
  jwtClient(options?: { forceRefreshOnFailure?: boolean }): JWT;
  /** Service account, self-signed JWT sent directly as the bearer token (no token endpoint). */
  selfSignedJwtClient(): JWT;
  /** GoogleAuth from the key JSON, as an app would load credentials.json. */
  googleAuthClient(): Promise<JWT>;
  /** Installed-app client with a refresh token, token URL pointed at the emulator. */
  oauthClient(options?: { forceRefreshOnFailure?: boolean }): OAuth2Client;
  /** A Sheets API client; gaxios retries are off unless asked for, so tests see each answer. */
  api(auth: AuthClient | undefined, options?: { retry?: boolean }): sheets_v4.Sheets;
}

/**
 * @googleapis/sheets@14 types its `auth` option with the google-auth-library copy that
 * googleapis-common pins (10.5.0), not the project's 10.9.x, so TypeScript sees two unrelated
 * classes with private fields. At run time any AuthClient works (the API client only calls
 * its request()), hence this one cast.
 */
export function asSheetsAuth(auth: AuthClient | undefined): sheets_v4.Options['auth'] {
  return auth as unknown as sheets_v4.Options['auth'];
}

/** One throwaway RSA key for every harness in a test file: generating one per emulator is slow. */
const TEST_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

export async function startHarness(options: SheetsEmulatorOptions = {}): Promise<Harness> {
  let now = Date.now();
  const emu = await startSheetsEmulator({ now: () => now, serviceAccount: { privateKeyPem: TEST_KEY }, ...options });
  const key = emu.serviceAccountCredentials();
  return {
    emu,
    advance: (ms) => {
      now += ms;
    },
    jwtClient: (opts = {}) => {
      const client = new JWT({ email: key.client_email, key: key.private_key, keyId: key.private_key_id, scopes: SCOPES, ...opts });
      redirectTokenRequests(client, emu.tokenUrl);
      return client;
    },
    selfSignedJwtClient: () => {
      const client = new JWT({ email: key.client_email, key: key.private_key, keyId: key.private_key_id, scopes: SCOPES });
      client.useJWTAccessWithScope = true;
      return client;
    },
    googleAuthClient: async () => {
      const auth = new GoogleAuth({ credentials: key, scopes: SCOPES });
      const client = (await auth.getClient()) as JWT;
      redirectTokenRequests(client, emu.tokenUrl);
      return client;
    },
    oauthClient: (opts = {}) => {
      const creds = emu.oauthClientCredentials();
      const client = new OAuth2Client({
        clientId: creds.client_id,
        clientSecret: creds.client_secret,
        endpoints: { oauth2TokenUrl: emu.tokenUrl, oauth2AuthBaseUrl: emu.authUrl },
        ...opts,
      });
      client.setCredentials({ refresh_token: creds.refresh_token });
      return client;
    },
    api: (auth, opts = {}) => sheets({ version: 'v4', auth: asSheetsAuth(auth), rootUrl: emu.rootUrl, retry: opts.retry ?? false }),
  };
}

/** The status, Google error body and message of a failed client call. */
export async function failure(promise: Promise<unknown>): Promise<{ error: unknown; status?: number; code?: unknown; message: string; body?: { error?: { code?: number; message?: string; status?: string; details?: unknown[] } } }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { status?: number; code?: unknown; message: string; response?: { data?: unknown } };
    return { error: err, status: e.status, code: e.code, message: e.message, body: e.response?.data as never };
  }
  throw new Error('expected the call to fail');
}
