import { readFile } from 'node:fs/promises';
import { z } from 'zod';

export const SHEETS_SCOPE = 'https://www.googleapis.com/auth/spreadsheets';
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

const serviceAccount = z.object({
  type: z.literal('service_account'),
  client_email: z.string().email(),
  private_key: z.string().min(1),
  private_key_id: z.string().optional(),
  project_id: z.string().optional(),
});

/**
 * What sheetlog records beside a refresh token (docs/SHEETS.md): when `auth login` stored it, and the
 * OAuth app's publishing status as the person states it (Google does not tell a client). A token of
 * an app in "Testing" expires 7 days after it was issued.
 */
const tokenRecord = {
  refresh_token_issued_at: z.string().optional(),
  publishing_status: z.string().optional(),
};

/** gcloud's / google-auth-library's "authorized_user" file. */
const authorizedUser = z.object({
  type: z.literal('authorized_user'),
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
  refresh_token: z.string().min(1),
  ...tokenRecord,
});

/** The installed-app client JSON downloaded from Google Cloud, plus the token `auth login` adds. */
const installedApp = z.object({
  installed: z.object({ client_id: z.string().min(1), client_secret: z.string().min(1) }).passthrough(),
  refresh_token: z.string().min(1).optional(),
  ...tokenRecord,
});

export type PublishingStatus = 'testing' | 'production';

export type Credentials =
  | { kind: 'service-account'; email: string; privateKey: string; keyId: string | undefined }
  | {
      kind: 'oauth-client';
      clientId: string;
      clientSecret: string;
      refreshToken: string | null;
      /** When `auth login` stored the refresh token (epoch ms); null: not recorded. */
      refreshTokenIssuedAt: number | null;
      /** As recorded in the file; null: not stated. */
      publishingStatus: PublishingStatus | null;
    };

/** The credentials file is missing, unreadable or of an unknown shape. Never carries secrets. */
export class CredentialsError extends Error {
  readonly code = 'AUTH';
  constructor(message: string) {
    super(message);
    this.name = 'CredentialsError';
  }
}

export function parseCredentials(value: unknown, path: string): Credentials {
  const sa = serviceAccount.safeParse(value);
  if (sa.success) return { kind: 'service-account', email: sa.data.client_email, privateKey: sa.data.private_key, keyId: sa.data.private_key_id };
  const au = authorizedUser.safeParse(value);
  if (au.success) return { kind: 'oauth-client', clientId: au.data.client_id, clientSecret: au.data.client_secret, refreshToken: au.data.refresh_token, ...recorded(au.data) };
  const ia = installedApp.safeParse(value);
  if (ia.success) {
    return { kind: 'oauth-client', clientId: ia.data.installed.client_id, clientSecret: ia.data.installed.client_secret, refreshToken: ia.data.refresh_token ?? null, ...recorded(ia.data) };
  }
  throw new CredentialsError(
    `${path}: not a service-account key ("type": "service_account"), an "authorized_user" file, or an installed-app client ({"installed": ...}); see credentials.example.json`,
  );
}

/** Lenient: a hand-edited date or status that cannot be read counts as not recorded (never a failed sink). */
function recorded(d: { refresh_token_issued_at?: string | undefined; publishing_status?: string | undefined }) {
  const issued = d.refresh_token_issued_at === undefined ? NaN : Date.parse(d.refresh_token_issued_at);
  const status = d.publishing_status?.trim().toLowerCase().replace(/^in /, '');
  return {
    refreshTokenIssuedAt: Number.isFinite(issued) ? issued : null,
    publishingStatus: status === 'testing' || status === 'production' ? (status as PublishingStatus) : null,
  };
}

export async function readCredentials(path: string): Promise<Credentials> {
  if (path === '') throw new CredentialsError('no credentials file configured (sheets.credentials)');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new CredentialsError(`cannot read credentials file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CredentialsError(`credentials file ${path} is not valid JSON`);
  }
  return parseCredentials(json, path);
}

/** Who the credentials act as, safe to print. */
export function describeCredentials(c: Credentials): string {
  return c.kind === 'service-account' ? `service account ${c.email}` : `OAuth client ${c.clientId.slice(0, 12)}… (installed app)`;
}
