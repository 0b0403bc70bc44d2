import { Command, Option } from 'commander';
import { ConfigError } from '../config/load.js';
import { StoreError } from '../store/errors.js';
import { runGateway } from '../main.js';
import { authCommand, AuthCommandError } from './auth.js';
import { devicesCommand } from './devices.js';
import { tlsCommand, TlsCommandError } from './tls.js';
import { TlsSetupError } from '../ingest/tcp/tls-credentials.js';
import { quarantineCommand } from './quarantine.js';
import { billCommand, BillCommandError } from './bill.js';
import { configFor, parseHttpPort, parsePort, type CommonFlags } from './options.js';
import { configReference } from './config-docs.js';

interface StartFlags extends CommonFlags {
  port?: number;
  host?: string;
  logLevel?: string;
  auth?: string;
  httpPort?: number | 'off';
}

/** The `sheetlog` command line. Unknown commands and flags are errors. */
export function buildProgram(out: (s: string) => void = (s) => process.stdout.write(s)): Command {
  const program = new Command('sheetlog')
    .description('logging gateway: boards → SQLite → Google Sheets')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('start')
    .description('run the gateway')
    .option('--config <file>', 'JSON configuration file')
    .option('--data <dir>', 'data directory (default ./data)')
    .option('--port <n>', 'TCP port for boards (default 8090; 0 = any free port)', parsePort)
    .option('--host <addr>', 'address to bind (default 0.0.0.0)')
    .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
    .addOption(new Option('--auth <mode>', 'device authentication').choices(['tofu', 'required', 'off']))
    .option('--http-port <n|off>', 'HTTP port of the dashboard, API and /metrics (default 8080; 0 = any free port; off = none)', parseHttpPort)
    .action(async (flags: StartFlags) => {
      const config = configFor(flags, {
        ...(flags.port !== undefined || flags.host !== undefined ? { tcp: { port: flags.port, host: flags.host } } : {}),
        ...(flags.logLevel !== undefined ? { log: { level: flags.logLevel } } : {}),
        ...(flags.auth !== undefined ? { auth: { mode: flags.auth } } : {}),
        ...(flags.httpPort !== undefined ? { http: { port: flags.httpPort } } : {}),
      });
      await runGateway(config);
    });

  program.addCommand(devicesCommand(out));
  program.addCommand(quarantineCommand(out));
  program.addCommand(authCommand(out));
  program.addCommand(tlsCommand(out));
  program.addCommand(billCommand(out));

  program
    .command('config')
    .description('print the effective configuration, or the reference of every key')
    .option('--config <file>', 'JSON configuration file')
    .option('--data <dir>', 'data directory')
    .option('--docs', 'print the configuration reference (markdown)')
    .action((flags: CommonFlags & { docs?: boolean }) => {
      out(flags.docs ? configReference() : `${JSON.stringify(configFor(flags), null, 2)}\n`);
    });
  return program;
}

/** Runs the CLI; expected failures print one clear line and exit 1, never a stack trace. */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`sheetlog: ${e.message}\n`);
      process.exit(2);
    }
    if (e instanceof StoreError) {
      process.stderr.write(`sheetlog: ${e.code}: ${e.message}\n`);
      process.exit(1);
    }
    if (e instanceof TlsCommandError || e instanceof TlsSetupError || e instanceof BillCommandError) {
      process.stderr.write(`sheetlog: ${e.message}\n`);
      process.exit(1);
    }
    if (e instanceof AuthCommandError) {
      process.stderr.write(`sheetlog: ${e.message}\n`);
      process.exit(1);
    }
    const code = (e as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      process.exit(code === 'commander.helpDisplayed' || code === 'commander.version' ? 0 : 2);
    }
    throw e;
  }
}
