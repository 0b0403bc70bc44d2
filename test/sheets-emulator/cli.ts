// npm run sheets-emulator -- --port P --write-credentials F [--faults SPEC] [--spreadsheet ID]... [--strict-ids]
//
// Starts the emulator, writes the service-account key it accepts (mode 0600), prints one line
// with its URL, and stops cleanly on SIGINT/SIGTERM. The only file in this folder that touches
// process, argv and signals. Unlike the library, the CLI creates a spreadsheet on first use of
// an unknown id (a person pointing a gateway at it has no other way to make one), unless
// --strict-ids asks for Google's 404.

import { chmod, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { startSheetsEmulator } from './emulator.js';
import { parseQuotaSpec } from './quota.js';

const USAGE = `Usage: npm run sheets-emulator -- [options]
  --port <n>                      TCP port on 127.0.0.1 (default 0: any free port)
  --write-credentials <file>      write the service-account key JSON this emulator accepts (mode 0600)
  --write-oauth-credentials <file> write an authorized_user JSON (client id/secret + refresh token) (mode 0600)
  --spreadsheet <id>              pre-create a spreadsheet (repeatable; default emulated-spreadsheet)
                                  (any other id is created, with one empty Sheet1, on its first use)
  --strict-ids                    unknown spreadsheet ids get Google's 404 instead of being created
  --faults <spec>                 e.g. "429=0.1,503=0.05,drop-after-apply=0.05,latency=20-200,seed=42"
  --quota <spec>                  e.g. "writes-per-user=60,writes-per-project=300,reads-per-user=60,reads-per-project=300"
  --help                          this text`;

async function writeSecret(path: string, value: unknown): Promise<void> {
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  // `mode` only applies when the file is created; an existing file keeps its mode otherwise.
  await chmod(path, 0o600);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      'write-credentials': { type: 'string' },
      'write-oauth-credentials': { type: 'string' },
      spreadsheet: { type: 'string', multiple: true },
      faults: { type: 'string' },
      quota: { type: 'string' },
      'strict-ids': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0-65535, got "${values.port}"`);
  const emu = await startSheetsEmulator({
    port,
    spreadsheetIds: values.spreadsheet,
    createOnFirstUse: values['strict-ids'] !== true,
    faults: values.faults,
    quotas: values.quota === undefined ? undefined : parseQuotaSpec(values.quota),
  });
  if (values['write-credentials']) await writeSecret(values['write-credentials'], emu.serviceAccountCredentials());
  if (values['write-oauth-credentials']) await writeSecret(values['write-oauth-credentials'], emu.oauthClientCredentials());
  const ids = values['strict-ids'] ? 'unknown spreadsheet ids: 404' : 'unknown spreadsheet ids: created on first use';
  process.stdout.write(`sheets-emulator listening on ${emu.url} (rootUrl ${emu.rootUrl}, token ${emu.tokenUrl}, control ${emu.url}/_emulator; ${ids})\n`);
  await new Promise<void>((resolve) => {
    const onSignal = (): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await emu.stop();
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`sheets-emulator: ${(err as Error).message}\n${USAGE}\n`);
    process.exitCode = 2;
  },
);
