import { Command, Option } from 'commander';
import { checkSheets } from '../sinks/google-sheets/check.js';
import { CredentialsError } from '../sinks/google-sheets/credentials.js';
import { loginInstalledApp } from '../sinks/google-sheets/login.js';
import { configFor, parsePort, type CommonFlags } from './options.js';

/** A failure a person can fix, printed as one line (exit code 1). */
export class AuthCommandError extends Error {
  readonly code = 'AUTH';
}

/** `sheetlog auth login|check`: credentials for the google-sheets sink. */
export function authCommand(out: (s: string) => void): Command {
  const cmd = new Command('auth').description('Google credentials for the google-sheets sink (docs/SHEETS.md)');
  const line = (s: string) => out(`${s}\n`);

  cmd
    .command('login')
    .description('installed-app sign-in: prints a URL, waits on 127.0.0.1 for the answer, stores the refresh token (mode 0600)')
    .option('--config <file>', 'JSON configuration file')
    .option('--credentials <file>', 'OAuth client file (default: sheets.credentials)')
    .option('--port <n>', 'loopback port for the redirect (default: any free port)', parsePort)
    .option('--timeout <seconds>', 'how long to wait for the browser', (v) => Number(v), 300)
    .addOption(
      new Option('--publishing-status <status>', 'the OAuth app\'s publishing status in Google Cloud (testing: tokens expire after 7 days); recorded in the credentials file').choices([
        'testing',
        'production',
      ]),
    )
    .action(async (flags: CommonFlags & { credentials?: string; port?: number; timeout: number; publishingStatus?: 'testing' | 'production' }) => {
      const { sheets } = configFor(flags);
      const credentials = flags.credentials ?? sheets.credentials;
      if (!credentials) throw new AuthCommandError('no credentials file: pass --credentials or set sheets.credentials');
      try {
        await loginInstalledApp({
          credentials,
          tokenUrl: sheets.tokenUrl,
          authUrl: sheets.authUrl,
          port: flags.port ?? 0,
          timeoutMs: flags.timeout * 1000,
          out: line,
          ...(flags.publishingStatus ? { publishingStatus: flags.publishingStatus } : {}),
        });
      } catch (e) {
        throw new AuthCommandError(e instanceof CredentialsError ? e.message : `sign-in failed: ${(e as Error).message}`);
      }
    });

  cmd
    .command('check')
    .description('verify the credentials, the spreadsheet and the tab, and print what was found')
    .option('--config <file>', 'JSON configuration file')
    .option('--data <dir>', 'data directory')
    .action(async (flags: CommonFlags) => {
      const { sheets } = configFor(flags);
      const ok = await checkSheets({
        credentials: sheets.credentials,
        spreadsheetId: sheets.spreadsheetId,
        tab: sheets.tab,
        layout: sheets.layout,
        rootUrl: sheets.rootUrl,
        tokenUrl: sheets.tokenUrl,
        timeoutMs: sheets.requestTimeoutMs,
        out: line,
      });
      if (!ok) throw new AuthCommandError('the google-sheets sink cannot write yet (see above)');
    });
  return cmd;
}
