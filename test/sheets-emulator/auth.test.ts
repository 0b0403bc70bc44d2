// The OAuth authority without HTTP: grants, their refusals, and bearer checks.
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { Authority, GOOGLE_TOKEN_URL } from './auth.js';
import { type JwtClaims, signRs256 } from './jwt.js';

const SCOPE = 'https://www.googleapis.com/auth/spreadsheets';
const URLS = { tokenUrl: 'http://127.0.0.1:9/token', authUrl: 'http://127.0.0.1:9/o/oauth2/v2/auth', rootUrl: 'http://127.0.0.1:9/' };
// One key for the whole file: RSA generation is the slow part.
const KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const OTHER_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

function setup() {
  let now = Date.UTC(2026, 10, 21, 12, 0, 0);
  const authority = new Authority({ now: () => now, tokenLifetimeSeconds: 3600, urls: URLS, serviceAccount: { privateKeyPem: KEY } });
  const advance = (ms: number): void => {
    now += ms;
  };
  const seconds = (): number => Math.floor(now / 1000);
  const claims = (extra: Partial<JwtClaims> = {}): JwtClaims => ({ iss: authority.clientEmail, scope: SCOPE, aud: GOOGLE_TOKEN_URL, iat: seconds(), exp: seconds() + 3600, ...extra });
  const grant = (assertion: string) => authority.handleToken(new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }));
  return { authority, advance, claims, grant };
}

describe('jwt-bearer grant', () => {
  it('issues a bearer token for a valid assertion signed with the service-account key', () => {
    const { authority, claims, grant } = setup();
    const reply = grant(signRs256(claims(), KEY, authority.privateKeyId));
    assert.equal(reply.status, 200);
    assert.equal(reply.body['token_type'], 'Bearer');
    assert.equal(reply.body['expires_in'], 3599);
    const check = authority.checkBearer(`Bearer ${String(reply.body['access_token'])}`);
    assert.deepEqual(check, { ok: true, principal: { subject: authority.clientEmail, scopes: [SCOPE] } });
  });

  it('refuses bad signatures, unknown accounts, wrong audiences, stale or long-lived JWTs and missing scopes', () => {
    const { authority, claims, grant } = setup();
    const cases: Array<[string, string, string]> = [
      [signRs256(claims(), OTHER_KEY), 'invalid_grant', 'Invalid JWT Signature.'],
      [signRs256(claims(), KEY, 'some-other-key-id'), 'invalid_grant', 'Invalid JWT Signature.'],
      [signRs256(claims({ iss: 'someone@else.iam.gserviceaccount.com' }), KEY), 'invalid_grant', 'Invalid grant: account not found'],
      [signRs256(claims({ aud: 'https://example.com/token' }), KEY), 'invalid_grant', 'Invalid JWT: Failed audience check. The expected audience is https://oauth2.googleapis.com/token.'],
      [signRs256(claims({ exp: Math.floor(Date.UTC(2026, 10, 21, 12) / 1000) - 1 }), KEY), 'invalid_grant', 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.'],
      [signRs256(claims({ exp: Math.floor(Date.UTC(2026, 10, 21, 12) / 1000) + 7200 }), KEY), 'invalid_grant', 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.'],
      [signRs256(claims({ scope: '' }), KEY), 'invalid_scope', 'Invalid OAuth scope or ID token audience provided.'],
      ['not.a.jwt', 'invalid_grant', 'Invalid JWT Signature.'],
    ];
    for (const [assertion, error, description] of cases) {
      const reply = grant(assertion);
      assert.equal(reply.status, 400, description);
      assert.deepEqual(reply.body, { error, error_description: description });
    }
    assert.equal(authority.handleToken(new URLSearchParams({ grant_type: 'password' })).body['error'], 'unsupported_grant_type');
  });

  it('accepts the emulator\'s own token URL as audience too', () => {
    const { claims, grant } = setup();
    assert.equal(grant(signRs256(claims({ aud: URLS.tokenUrl }), KEY)).status, 200);
  });
});

describe('refresh_token and authorization_code grants', () => {
  it('refreshes with the known client and refresh token, and refuses wrong ones', () => {
    const { authority } = setup();
    const creds = authority.oauthClientCredentials();
    const form = (o: Record<string, string>) => new URLSearchParams({ grant_type: 'refresh_token', client_id: creds.client_id, client_secret: creds.client_secret, refresh_token: creds.refresh_token, ...o });
    assert.equal(authority.handleToken(form({})).status, 200);
    assert.deepEqual(authority.handleToken(form({ client_secret: 'nope' })), { status: 401, body: { error: 'invalid_client', error_description: 'Unauthorized' } });
    assert.deepEqual(authority.handleToken(form({ client_id: 'nope' })), { status: 401, body: { error: 'invalid_client', error_description: 'The OAuth client was not found.' } });
    assert.deepEqual(authority.handleToken(form({ refresh_token: '1//nope' })), { status: 400, body: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' } });
    // HTTP Basic client authentication works as well as form fields.
    const basicForm = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.refresh_token });
    assert.equal(authority.handleToken(basicForm, { id: creds.client_id, secret: creds.client_secret }).status, 200);
  });

  it('exchanges a loopback authorization code once, checking redirect_uri and the PKCE verifier', () => {
    const { authority } = setup();
    const creds = authority.oauthClientCredentials();
    const verifier = 'a'.repeat(50);
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const redirect = authority.authorize(new URLSearchParams({ client_id: creds.client_id, redirect_uri: 'http://127.0.0.1:5555/cb', response_type: 'code', scope: SCOPE, state: 'xyz', code_challenge: challenge, code_challenge_method: 'S256' }));
    assert.equal(redirect.status, 302);
    const location = new URL(redirect.location ?? '');
    assert.equal(location.origin + location.pathname, 'http://127.0.0.1:5555/cb');
    assert.equal(location.searchParams.get('state'), 'xyz');
    const code = location.searchParams.get('code') ?? '';
    const exchange = (o: Record<string, string>) =>
      authority.handleToken(new URLSearchParams({ grant_type: 'authorization_code', client_id: creds.client_id, client_secret: creds.client_secret, code, redirect_uri: 'http://127.0.0.1:5555/cb', ...o }));
    assert.deepEqual(exchange({ code_verifier: 'wrong' }).body, { error: 'invalid_grant', error_description: 'Invalid code verifier.' });
    const code2 = authority.issueAuthorizationCode({ redirectUri: 'http://127.0.0.1:5555/cb', codeChallenge: challenge, codeChallengeMethod: 'S256' });
    const ok = authority.handleToken(new URLSearchParams({ grant_type: 'authorization_code', client_id: creds.client_id, client_secret: creds.client_secret, code: code2, redirect_uri: 'http://127.0.0.1:5555/cb', code_verifier: verifier }));
    assert.equal(ok.status, 200);
    assert.match(String(ok.body['refresh_token']), /^1\/\/emu-/);
    const reused = authority.handleToken(new URLSearchParams({ grant_type: 'authorization_code', client_id: creds.client_id, client_secret: creds.client_secret, code: code2, redirect_uri: 'http://127.0.0.1:5555/cb', code_verifier: verifier }));
    assert.equal(reused.body['error'], 'invalid_grant');
    const refreshed = authority.handleToken(new URLSearchParams({ grant_type: 'refresh_token', client_id: creds.client_id, client_secret: creds.client_secret, refresh_token: String(ok.body['refresh_token']) }));
    assert.equal(refreshed.status, 200);
  });

  it('only redirects to loopback addresses', () => {
    const { authority } = setup();
    const creds = authority.oauthClientCredentials();
    const answer = authority.authorize(new URLSearchParams({ client_id: creds.client_id, redirect_uri: 'https://evil.example/cb', response_type: 'code', scope: SCOPE }));
    assert.equal(answer.status, 400);
    assert.equal(answer.location, undefined);
  });
});

describe('bearer checks', () => {
  it('distinguishes missing, invalid and expired tokens', () => {
    const { authority, advance, claims, grant } = setup();
    const token = String(grant(signRs256(claims(), KEY)).body['access_token']);
    assert.deepEqual(authority.checkBearer(undefined), { ok: false, reason: 'missing' });
    assert.deepEqual(authority.checkBearer('Bearer ya29.made-up'), { ok: false, reason: 'invalid' });
    assert.equal(authority.checkBearer(`Bearer ${token}`).ok, true);
    advance(3600_000);
    assert.deepEqual(authority.checkBearer(`Bearer ${token}`), { ok: false, reason: 'expired' });
  });

  it('expireAccessTokens ends every issued token at once', () => {
    const { authority, claims, grant } = setup();
    const token = String(grant(signRs256(claims(), KEY)).body['access_token']);
    authority.expireAccessTokens();
    assert.deepEqual(authority.checkBearer(`Bearer ${token}`), { ok: false, reason: 'expired' });
  });

  it('accepts a self-signed service-account JWT with a scope or the API audience, and nothing else', () => {
    const { authority, advance, claims } = setup();
    const selfSigned = (extra: Partial<JwtClaims>, key = KEY) => authority.checkBearer(`Bearer ${signRs256(claims({ aud: undefined, sub: authority.clientEmail, ...extra }), key)}`);
    assert.equal(selfSigned({}).ok, true);
    assert.equal(selfSigned({ scope: undefined, aud: 'https://sheets.googleapis.com/' }).ok, true);
    assert.deepEqual(selfSigned({ scope: undefined }), { ok: false, reason: 'invalid' });
    assert.deepEqual(selfSigned({}, OTHER_KEY), { ok: false, reason: 'invalid' });
    const early = signRs256(claims({ aud: undefined }), KEY);
    advance(3601_000);
    assert.deepEqual(authority.checkBearer(`Bearer ${early}`), { ok: false, reason: 'expired' });
  });
});
