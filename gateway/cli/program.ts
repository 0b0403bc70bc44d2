import { Command, Option } from 'commander';
import { packageVersion } from '../api/version.js';
import { ConfigError } from '../config/load.js';
import { StoreError } from '../store/errors.js';
import { EXIT, StartupError } from '../startup/errors.js';
import { authCommand, AuthCommandError } from './auth.js';
import { devicesCommand } from './devices.js';
import { tlsCommand, TlsCommandError } from './tls.js';
import { TlsSetupError } from '../ingest/tcp/tls-credentials.js';
import { quarantineCommand } from './quarantine.js';
import { sendCommand, SendError } from './send.js';
import { billCommand, BillCommandError } from './bill.js';
import { configFor, parseHttpPort, parsePort, type CommonFlags } from './options.js';
import { configReference } from './config-docs.js';
import { EarlySyncThread } from '../sync/thread/spawn.js';

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
    .version(packageVersion(), '-V, --version', 'print the version')
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
      // Loaded here: the gateway's modules cost about 0.2 s that every other command would pay.
      // The sync thread boots (its own modules, about 0.3 s) on another core while this one loads
      // the gateway's; it waits for the store before it opens anything (gateway/sync/thread/spawn.ts).
      const syncThread = config.sync.thread ? new EarlySyncThread() : undefined;
      const { runGateway } = await import('../main.js');
      await runGateway(config, { configFile: flags.config }, syncThread);
    });

  program.addCommand(devicesCommand(out));
  program.addCommand(quarantineCommand(out));
  program.addCommand(authCommand(out));
  program.addCommand(tlsCommand(out));
  program.addCommand(sendCommand(out));
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
  // Commands built elsewhere (addCommand) do not inherit these: without them a missing argument
  // would exit 1 from inside commander instead of 2 like every other usage error.
  for (const cmd of allCommands(program)) cmd.exitOverride().showHelpAfterError();
  return program;
}

function allCommands(cmd: Command): Command[] {
  return cmd.commands.flatMap((c) => [c, ...allCommands(c)]);
}

/**
 * Runs the CLI. Expected failures print one or two clear lines and exit with the code documented
 * in docs/OPERATIONS.md ("Exit codes"), never a stack trace; anything unexpected prints its
 * message, and its stack only with SHEETLOG_LOG_LEVEL=debug (or trace).
 */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof StartupError) {
      process.stderr.write(`sheetlog: ${e.message}\n`);
      process.exit(e.exitCode);
    }
    if (e instanceof ConfigError) {
      process.stderr.write(`sheetlog: ${e.message}\n`);
      process.exit(EXIT.usage);
    }
    if (e instanceof StoreError) {
      process.stderr.write(`sheetlog: ${e.code}: ${e.message}\n`);
      process.exit(EXIT.failure);
    }
    if (e instanceof TlsCommandError || e instanceof TlsSetupError || e instanceof AuthCommandError || e instanceof SendError || e instanceof BillCommandError) {
      process.stderr.write(`sheetlog: ${e.message}\n`);
      process.exit(EXIT.failure);
    }
    const code = (e as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      process.exit(code === 'commander.helpDisplayed' || code === 'commander.version' ? EXIT.ok : EXIT.usage);
    }
    const debug = /^(debug|trace)$/.test(process.env.SHEETLOG_LOG_LEVEL ?? '') || argv.some((a, i) => a === '--log-level' && /^(debug|trace)$/.test(argv[i + 1] ?? ''));
    process.stderr.write(`sheetlog: ${debug && e instanceof Error ? e.stack : String((e as Error)?.message ?? e)}\n`);
    if (!debug) process.stderr.write('sheetlog: (run with --log-level debug or SHEETLOG_LOG_LEVEL=debug for details)\n');
    process.exit(EXIT.failure);
  }
}
