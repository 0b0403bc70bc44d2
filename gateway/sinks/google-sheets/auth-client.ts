import type { JWT, OAuth2Client } from 'google-auth-library';
import { CredentialsError, GOOGLE_TOKEN_URL, SHEETS_SCOPE, type Credentials } from './credentials.js';

export interface AuthEndpoints {
  tokenUrl: string;
  /** Timeout of token requests, ms. */
  timeoutMs: number;
}

export type AuthClient = JWT | OAuth2Client;

/** google-auth-library, imported on first use (libraries.ts). */
export type AuthLibrary = typeof import('google-auth-library');

/**
 * Builds the google-auth-library client for the credentials. Both kinds refresh their access
 * token on a 401 (forceRefreshOnFailure), so a token revoked or expired early costs one retry,
 * not an error.
 *
 * The service-account client POSTs its JWT grant to Google's fixed token URL, ignoring the key's
 * token_uri; when another token endpoint is configured (an emulator, a proxy), a request
 * interceptor on the client's own transporter sends it there.
 */
export function createAuthClient(lib: AuthLibrary, creds: Credentials, endpoints: AuthEndpoints): AuthClient {
  const { JWT, OAuth2Client } = lib;
  const transporterOptions = { timeout: endpoints.timeoutMs };
  if (creds.kind === 'service-account') {
    const client = new JWT({
      email: creds.email,
      key: creds.privateKey,
      ...(creds.keyId ? { keyId: creds.keyId } : {}),
      scopes: [SHEETS_SCOPE],
      forceRefreshOnFailure: true,
      transporterOptions,
    });
    if (endpoints.tokenUrl !== GOOGLE_TOKEN_URL) redirectTokenRequests(client, endpoints.tokenUrl);
    return client;
  }
  if (!creds.refreshToken) throw new CredentialsError('the OAuth client has no refresh token yet: run `sheetlog auth login`');
  const client = new OAuth2Client({
    clientId: creds.clientId,
    clientSecret: creds.clientSecret,
    endpoints: { oauth2TokenUrl: endpoints.tokenUrl },
    forceRefreshOnFailure: true,
    transporterOptions,
  });
  client.setCredentials({ refresh_token: creds.refreshToken });
  return client;
}

function redirectTokenRequests(client: JWT, tokenUrl: string): void {
  client.transporter.interceptors.request.add({
    resolved: async (options) => {
      if (String(options.url) === GOOGLE_TOKEN_URL) options.url = new URL(tokenUrl);
      return options;
    },
  });
}
