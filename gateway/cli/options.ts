import { InvalidArgumentError } from 'commander';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';

/** Flags shared by every command that opens the data directory. */
export interface CommonFlags {
  config?: string;
  data?: string;
}

export function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be an integer 0..65535');
  return n;
}

/** `--http-port`: a port, or `off` for no HTTP server. */
export function parseHttpPort(value: string): number | 'off' {
  return value === 'off' ? 'off' : parsePort(value);
}

/** Loads the configuration for a command: file, environment, then the command's own flags. */
export function configFor(flags: CommonFlags, overrides: Record<string, unknown> = {}): Config {
  return loadConfig({
    file: flags.config,
    env: process.env,
    onWarning: (m) => process.stderr.write(`sheetlog: warning: ${m}\n`),
    flags: { ...(flags.data !== undefined ? { dataDir: flags.data } : {}), ...overrides },
  });
}
