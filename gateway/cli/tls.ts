import { Command } from 'commander';
import { tlsFingerprint } from '../ingest/tcp/tls-credentials.js';
import { configFor, type CommonFlags } from './options.js';

/** Nothing to show: TLS was never started with this data directory and no certificate is configured. */
export class TlsCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TlsCommandError';
  }
}

/** `sheetlog tls fingerprint`: the SHA-256 fingerprint boards pin (read only; creates nothing). */
export function tlsCommand(out: (s: string) => void): Command {
  const cmd = new Command('tls').description('the TLS listener for boards (tcp.tls)');
  cmd
    .command('fingerprint')
    .description("print the SHA-256 fingerprint of the gateway's TLS certificate, for the boards to pin")
    .option('--data <dir>', 'data directory (default ./data)')
    .option('--config <file>', 'JSON configuration file')
    .option('--sha1', "print the SHA-1 fingerprint instead: the ESP8266 core's setFingerprint() takes only SHA-1")
    .action((flags: CommonFlags & { sha1?: boolean }) => {
      const config = configFor(flags);
      const found = tlsFingerprint(config.dataDir, config.tcp.tls);
      if (found === null) {
        throw new TlsCommandError(`no TLS certificate in ${config.dataDir}/tls yet: start the gateway once with tcp.tls.enabled (it generates one), or set tcp.tls.certFile`);
      }
      out(`${flags.sha1 === true ? found.fingerprint1 : found.fingerprint256}\n`);
    });
  return cmd;
}
