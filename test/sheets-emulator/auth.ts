// The emulator's OAuth 2.0 authority: a service-account key pair, an installed-app client
// with a refresh token, the token endpoint's grants (jwt-bearer, refresh_token,
// authorization_code with PKCE), the loopback authorization endpoint, and bearer checks for
// API calls (issued access tokens and self-signed service-account JWTs).

import { type KeyObject, createHash, createPublicKey, generateKeyPairSync, randomBytes, randomInt } from 'node:crypto';
import { type DecodedJwt, decodeJwt, scopesOf, verifyRs256 } from './jwt.js';

export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
/** Scopes that allow writing a spreadsheet; reads also accept the read-only ones. */
export const WRITE_SCOPES = ['https://www.googleapis.com/auth/spreadsheets', 'https://www.googleapis.com/auth/drive', 'https://www.googleapis.com/auth/drive.file'];
export const READ_SCOPES = [...WRITE_SCOPES, 'https://www.googleapis.com/auth/spreadsheets.readonly', 'https://www.googleapis.com/auth/drive.readonly'];

export interface Principal {
  /** Who the quota "per user" counts against: the service-account email or the OAuth user. */
  subject: string;
  scopes: string[];
}

export type BearerCheck = { ok: true; principal: Principal } | { ok: false; reason: 'missing' | 'invalid' | 'expired' };

export interface TokenReply {
  status: number;
  body: Record<string, unknown>;
}

export interface ServiceAccountKey {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  auth_uri: string;
  token_uri: string;
  auth_provider_x509_cert_url: string;
  client_x509_cert_url: string;
  universe_domain: string;
}

/** google-auth-library's `authorized_user` shape: an installed-app client plus its refresh token. */
export interface OAuthClientCredentials {
  type: 'authorized_user';
  client_id: string;
  client_secret: string;
  refresh_token: string;
  token_uri: string;
  auth_uri: string;
}

export interface AuthorityOptions {
  now: () => number;
  tokenLifetimeSeconds: number;
  urls: { tokenUrl: string; authUrl: string; rootUrl: string };
  serviceAccount?: { clientEmail?: string; privateKeyPem?: string };
}

interface IssuedToken {
  principal: Principal;
  expiresAt: number;
}

interface AuthCode {
  redirectUri: string | undefined;
  scopes: string[];
  challenge?: { value: string; method: 'S256' | 'plain' };
}

const PROJECT = 'sheetlog-emulator';
const SKEW_SECONDS = 300;
const grantError = (error: string, description: string, status = 400): TokenReply => ({ status, body: { error, error_description: description } });
const SHORT_LIVED =
  'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.';

export function isLoopbackRedirect(uri: string): boolean {
  try {
    const u = new URL(uri);
    return u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  } catch {
    return false;
  }
}

export class Authority {
  readonly privateKeyPem: string;
  readonly publicKey: KeyObject;
  readonly clientEmail: string;
  readonly privateKeyId = randomBytes(20).toString('hex');
  readonly clientId = `${randomInt(100_000_000_000, 999_999_999_999)}-emulator.apps.googleusercontent.com`;
  readonly clientSecret = `GOCSPX-${randomBytes(18).toString('base64url')}`;
  readonly refreshToken = `1//emu-${randomBytes(24).toString('base64url')}`;
  private readonly accessTokens = new Map<string, IssuedToken>();
  /** Refresh tokens the client may use, with the scopes granted to each. */
  private readonly refreshTokens = new Map<string, string[]>();
  private readonly codes = new Map<string, AuthCode>();

  constructor(private readonly options: AuthorityOptions) {
    this.privateKeyPem = options.serviceAccount?.privateKeyPem ?? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    this.publicKey = createPublicKey(this.privateKeyPem);
    this.clientEmail = options.serviceAccount?.clientEmail ?? `sheetlog-writer@${PROJECT}.iam.gserviceaccount.com`;
    this.refreshTokens.set(this.refreshToken, [WRITE_SCOPES[0] as string]);
  }

  serviceAccountKey(): ServiceAccountKey {
    const { tokenUrl, authUrl, rootUrl } = this.options.urls;
    return {
      type: 'service_account',
      project_id: PROJECT,
      private_key_id: this.privateKeyId,
      private_key: this.privateKeyPem,
      client_email: this.clientEmail,
      client_id: '100000000000000000001',
      auth_uri: authUrl,
      token_uri: tokenUrl,
      auth_provider_x509_cert_url: `${rootUrl}oauth2/v1/certs`,
      client_x509_cert_url: `${rootUrl}robot/v1/metadata/x509/${encodeURIComponent(this.clientEmail)}`,
      universe_domain: 'googleapis.com',
    };
  }

  oauthClientCredentials(): OAuthClientCredentials {
    const { tokenUrl, authUrl } = this.options.urls;
    return { type: 'authorized_user', client_id: this.clientId, client_secret: this.clientSecret, refresh_token: this.refreshToken, token_uri: tokenUrl, auth_uri: authUrl };
  }

  private nowSeconds(): number {
    return Math.floor(this.options.now() / 1000);
  }

  private issue(principal: Principal): TokenReply {
    const token = `ya29.emu-${randomBytes(24).toString('base64url')}`;
    const lifetime = this.options.tokenLifetimeSeconds;
    this.accessTokens.set(token, { principal, expiresAt: this.options.now() + lifetime * 1000 });
    // Google answers 3599 for a one-hour token.
    return { status: 200, body: { access_token: token, expires_in: lifetime - 1, scope: principal.scopes.join(' '), token_type: 'Bearer' } };
  }

  /** Checks a service-account JWT: issuer, key id, RS256 signature and a lifetime of at most an hour. */
  private checkServiceAccountJwt(jwt: DecodedJwt): 'ok' | 'unknown-account' | 'bad-signature' | 'expired' | 'lifetime' {
    if (jwt.claims.iss !== this.clientEmail) return 'unknown-account';
    if (jwt.header.kid !== undefined && jwt.header.kid !== this.privateKeyId) return 'bad-signature';
    if (!verifyRs256(jwt, this.publicKey)) return 'bad-signature';
    const { iat, exp } = jwt.claims;
    if (typeof iat !== 'number' || typeof exp !== 'number' || exp - iat > 3600 || iat > this.nowSeconds() + SKEW_SECONDS) return 'lifetime';
    return exp <= this.nowSeconds() ? 'expired' : 'ok';
  }

  private jwtBearerGrant(form: URLSearchParams): TokenReply {
    const jwt = decodeJwt(form.get('assertion') ?? '');
    if (!jwt) return grantError('invalid_grant', 'Invalid JWT Signature.');
    const check = this.checkServiceAccountJwt(jwt);
    if (check === 'unknown-account') return grantError('invalid_grant', 'Invalid grant: account not found');
    if (check === 'bad-signature') return grantError('invalid_grant', 'Invalid JWT Signature.');
    if (check !== 'ok') return grantError('invalid_grant', SHORT_LIVED);
    // google-auth-library signs the grant for Google's URL even when it posts elsewhere.
    const audiences = [GOOGLE_TOKEN_URL, 'https://www.googleapis.com/oauth2/v4/token', this.options.urls.tokenUrl];
    if (typeof jwt.claims.aud !== 'string' || !audiences.includes(jwt.claims.aud)) {
      return grantError('invalid_grant', `Invalid JWT: Failed audience check. The expected audience is ${GOOGLE_TOKEN_URL}.`);
    }
    if (jwt.claims.sub !== undefined && jwt.claims.sub !== jwt.claims.iss) {
      return grantError('unauthorized_client', 'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.');
    }
    const scopes = scopesOf(jwt.claims);
    if (scopes.length === 0) return grantError('invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
    return this.issue({ subject: this.clientEmail, scopes });
  }

  /** Client authentication by form fields or HTTP Basic (google-auth-library supports both). */
  private clientError(form: URLSearchParams, basic: { id: string; secret: string } | undefined): TokenReply | undefined {
    const id = basic?.id ?? form.get('client_id');
    const secret = basic?.secret ?? form.get('client_secret');
    if (id !== this.clientId) return grantError('invalid_client', 'The OAuth client was not found.', 401);
    if (secret !== this.clientSecret) return grantError('invalid_client', 'Unauthorized', 401);
    return undefined;
  }

  private refreshGrant(form: URLSearchParams, basic: { id: string; secret: string } | undefined): TokenReply {
    const bad = this.clientError(form, basic);
    if (bad) return bad;
    const scopes = this.refreshTokens.get(form.get('refresh_token') ?? '');
    if (!scopes) return grantError('invalid_grant', 'Token has been expired or revoked.');
    return this.issue({ subject: `user:${this.clientId}`, scopes });
  }

  private codeGrant(form: URLSearchParams, basic: { id: string; secret: string } | undefined): TokenReply {
    const bad = this.clientError(form, basic);
    if (bad) return bad;
    const codeText = form.get('code') ?? '';
    const code = this.codes.get(codeText);
    if (!code) return grantError('invalid_grant', 'Malformed auth code.');
    this.codes.delete(codeText); // codes are single-use
    if (code.redirectUri !== undefined && form.get('redirect_uri') !== code.redirectUri) return grantError('redirect_uri_mismatch', 'Bad Request');
    if (code.challenge) {
      const verifier = form.get('code_verifier') ?? '';
      const derived = code.challenge.method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
      if (derived !== code.challenge.value) return grantError('invalid_grant', 'Invalid code verifier.');
    }
    const refreshToken = `1//emu-${randomBytes(24).toString('base64url')}`;
    this.refreshTokens.set(refreshToken, code.scopes);
    const reply = this.issue({ subject: `user:${this.clientId}`, scopes: code.scopes });
    return { status: 200, body: { ...reply.body, refresh_token: refreshToken } };
  }

  /** POST /token. */
  handleToken(form: URLSearchParams, basic?: { id: string; secret: string }): TokenReply {
    const grantType = form.get('grant_type');
    if (grantType === 'urn:ietf:params:oauth:grant-type:jwt-bearer') return this.jwtBearerGrant(form);
    if (grantType === 'refresh_token') return this.refreshGrant(form, basic);
    if (grantType === 'authorization_code') return this.codeGrant(form, basic);
    return grantError('unsupported_grant_type', `Invalid grant_type: ${grantType ?? ''}`);
  }

  /** Issues a code as the consent screen would; `redirectUri` must then match at the token endpoint. */
  issueAuthorizationCode(opts: { redirectUri?: string; scope?: string; codeChallenge?: string; codeChallengeMethod?: string } = {}): string {
    const code = `4/emu-${randomBytes(24).toString('base64url')}`;
    const scopes = (opts.scope ?? WRITE_SCOPES[0] ?? '').split(/\s+/).filter(Boolean);
    const entry: AuthCode = { redirectUri: opts.redirectUri, scopes };
    if (opts.codeChallenge) entry.challenge = { value: opts.codeChallenge, method: opts.codeChallengeMethod === 'S256' ? 'S256' : 'plain' };
    this.codes.set(code, entry);
    return code;
  }

  /** GET /o/oauth2/v2/auth: consents at once and redirects to the loopback redirect_uri. */
  authorize(query: URLSearchParams): { status: number; location?: string; text?: string } {
    const redirectUri = query.get('redirect_uri') ?? '';
    if (query.get('client_id') !== this.clientId) return { status: 401, text: 'Error 401: invalid_client' };
    if (!isLoopbackRedirect(redirectUri)) return { status: 400, text: 'Error 400: redirect_uri_mismatch' };
    if (query.get('response_type') !== 'code') return { status: 400, text: 'Error 400: unsupported_response_type' };
    const scope = query.get('scope');
    if (!scope) return { status: 400, text: 'Error 400: invalid_request Missing required parameter: scope' };
    const code = this.issueAuthorizationCode({ redirectUri, scope, codeChallenge: query.get('code_challenge') ?? undefined, codeChallengeMethod: query.get('code_challenge_method') ?? undefined });
    const target = new URL(redirectUri);
    const state = query.get('state');
    if (state !== null) target.searchParams.set('state', state);
    target.searchParams.set('code', code);
    target.searchParams.set('scope', scope);
    return { status: 302, location: target.toString() };
  }

  /** Authenticates an API call's Authorization header. */
  checkBearer(header: string | undefined): BearerCheck {
    const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    if (!m?.[1]) return { ok: false, reason: 'missing' };
    const token = m[1];
    const issued = this.accessTokens.get(token);
    if (issued) return this.options.now() >= issued.expiresAt ? { ok: false, reason: 'expired' } : { ok: true, principal: issued.principal };
    const jwt = decodeJwt(token);
    if (!jwt) return { ok: false, reason: 'invalid' };
    // A self-signed JWT (google-auth-library's useJWTAccessWithScope): scoped, or aimed at the API.
    const check = this.checkServiceAccountJwt(jwt);
    if (check === 'expired') return { ok: false, reason: 'expired' };
    if (check !== 'ok') return { ok: false, reason: 'invalid' };
    const scopes = scopesOf(jwt.claims);
    const audienceOk = ['https://sheets.googleapis.com/', this.options.urls.rootUrl].includes(String(jwt.claims.aud));
    if (scopes.length === 0 && !audienceOk) return { ok: false, reason: 'invalid' };
    return { ok: true, principal: { subject: this.clientEmail, scopes: scopes.length > 0 ? scopes : [WRITE_SCOPES[0] as string] } };
  }

  /** Every issued access token stops working now (self-signed JWTs cannot be revoked, as at Google). */
  expireAccessTokens(): void {
    const now = this.options.now();
    for (const entry of this.accessTokens.values()) entry.expiresAt = Math.min(entry.expiresAt, now);
  }

  /** POST /revoke: an access or refresh token. */
  revoke(token: string): TokenReply {
    if (this.accessTokens.delete(token) || this.refreshTokens.delete(token)) return { status: 200, body: {} };
    return grantError('invalid_token', 'Token expired or revoked');
  }
}
