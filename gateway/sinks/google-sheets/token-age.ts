import type { Logger } from '../../log.js';
import type { TimerHandle, Timers } from '../../time/timers.js';
import { readCredentials, type Credentials } from './credentials.js';

/** Google expires the refresh tokens of an OAuth app in "Testing" publishing status after 7 days. */
export const TESTING_TOKEN_LIFETIME_MS = 7 * 86_400_000;
/** Warn from the token's fifth day: 4 days after it was issued, 3 days before it stops working. */
export const WARN_AFTER_MS = 4 * 86_400_000;

export type TokenNoticeCode = 'REFRESH_TOKEN_EXPIRING' | 'REFRESH_TOKEN_EXPIRED';

export interface TokenNotice {
  code: TokenNoticeCode;
  expiresAt: number;
  message: string;
}

/**
 * The warning for an OAuth client's refresh token that Google will expire (pure), or null: none for a
 * service account, an app stated to be in production, a token younger than 4 days, or one whose issue
 * time was not recorded (`auth login` records it). An app whose status is not stated counts as in
 * Testing, Google's default for a new consent screen: a wrong warning costs a line, a missed one the sync.
 */
export function refreshTokenNotice(creds: Credentials, now: number, file: string): TokenNotice | null {
  if (creds.kind !== 'oauth-client' || creds.refreshToken === null || creds.publishingStatus === 'production') return null;
  const issuedAt = creds.refreshTokenIssuedAt;
  if (issuedAt === null || now - issuedAt < WARN_AFTER_MS) return null;
  const expiresAt = issuedAt + TESTING_TOKEN_LIFETIME_MS;
  const status = creds.publishingStatus === 'testing' ? 'in "Testing" publishing status' : 'assumed in "Testing" publishing status (set "publishing_status": "production" in the file if it is published)';
  const fix = `run \`sheetlog auth login\` again or publish the OAuth app (docs/SHEETS.md)`;
  const issued = new Date(issuedAt).toISOString().slice(0, 16).replace('T', ' ');
  const expires = new Date(expiresAt).toISOString().slice(0, 16).replace('T', ' ');
  if (now >= expiresAt) {
    return { code: 'REFRESH_TOKEN_EXPIRED', expiresAt, message: `the Google refresh token in ${file} (issued ${issued} UTC, app ${status}) expired at ${expires} UTC: ${fix}` };
  }
  const days = Math.max(1, Math.ceil((expiresAt - now) / 86_400_000));
  return {
    code: 'REFRESH_TOKEN_EXPIRING',
    expiresAt,
    message: `the Google refresh token in ${file} (issued ${issued} UTC, app ${status}) expires at ${expires} UTC, in ${days} day${days === 1 ? '' : 's'}: sync stops then; ${fix}`,
  };
}

/**
 * Reads the credentials file at start and hourly (it may be renewed by `auth login` meanwhile),
 * logs a warning when a notice appears and again each day it persists, and keeps it for the API
 * (`GET /api/v1/sync`) and the dashboard.
 */
export class TokenAgeWatch {
  private notice: TokenNotice | null = null;
  private loggedAt: number | null = null;
  private timer: TimerHandle | null = null;
  private stopped = false;
  /** The check running or last run (tests wait on it instead of on time). */
  lastCheck: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly timers: Timers,
    private readonly log: Logger,
    private readonly intervalMs = 3_600_000,
  ) {}

  /** The current warnings, as text. */
  warnings(): string[] {
    return this.notice === null ? [] : [this.notice.message];
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.tick();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
  }

  async check(): Promise<void> {
    const now = this.timers.now();
    // A missing or broken file is the sink's error to report; here it only means no notice.
    const creds = await readCredentials(this.file).catch(() => null);
    this.notice = creds === null ? null : refreshTokenNotice(creds, now, this.file);
    if (this.notice === null) this.loggedAt = null;
    else if (this.loggedAt === null || now - this.loggedAt >= 86_400_000) {
      this.loggedAt = now;
      this.log.warn({ code: this.notice.code, expiresAt: new Date(this.notice.expiresAt).toISOString() }, this.notice.message);
    }
  }

  private tick(): Promise<void> {
    this.lastCheck = this.check().finally(() => {
      if (!this.stopped) this.timer = this.timers.after(this.intervalMs, () => void this.tick());
    });
    return this.lastCheck;
  }
}
