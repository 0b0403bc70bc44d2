import { COMMAND, type CommandErrorCode } from '../errors/registry.js';

/**
 * Why `sheetlog start` (or another command) refused to run, with a stable code and the process exit
 * code documented in docs/OPERATIONS.md ("Exit codes"). The message is one or two lines a person can
 * act on; the stack is logged at debug level only.
 */
/** The codes a refused start can carry (gateway/errors/registry.ts, docs/ERRORS.md). */
export type StartupErrorCode = Extract<CommandErrorCode, 'DATA_DIR_NOT_DIRECTORY' | 'DATA_DIR_NOT_WRITABLE' | 'DATA_DIR_IN_USE' | 'STORE_MISSING' | 'PORT_IN_USE' | 'PORT_DENIED'>;

/** Exit codes of the `sheetlog` command line (the table in docs/OPERATIONS.md). */
export const EXIT = {
  ok: 0,
  /** A command failed (a device that exists or does not, sign-in, a gateway that failed while running). */
  failure: 1,
  /** A usage error or an invalid configuration (flags, environment, config file). */
  usage: 2,
  /** The data directory cannot be used: not a directory, not writable, no store in it. */
  dataDir: 3,
  /** Another process holds the data directory. */
  inUse: 4,
  /** A port to listen on is in use or not allowed. */
  port: 5,
} as const;

export class StartupError extends Error {
  readonly exitCode: number;
  constructor(
    readonly code: StartupErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StartupError';
    this.exitCode = COMMAND[code].exit;
  }
}
