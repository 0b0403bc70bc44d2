import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import type { Config } from '../config/schema.js';
import { formatDeviceTable } from '../report.js';
import { checkDataDir } from '../startup/data-dir.js';
import { StartupError } from '../startup/errors.js';
import { openDatabase } from '../store/database.js';
import { checkDeviceId, DeviceRegistry } from '../store/devices.js';
import { configFor, type CommonFlags } from './options.js';

/**
 * `sheetlog devices add|list|revoke`: provisioning that works while the gateway runs (WAL; these
 * commands do not take the data directory's lock). Only `add` may create a store: the others
 * report a missing one instead of creating an empty store in a mistyped directory.
 */
export function devicesCommand(out: (s: string) => void): Command {
  const cmd = new Command('devices').description('manage the device registry');
  const withRegistry = <T>(flags: CommonFlags, create: boolean, fn: (r: DeviceRegistry) => T): T => {
    const config = configFor(flags);
    const path = join(config.dataDir, config.store.file);
    if (create) checkDataDir(config.dataDir, config.store.file);
    else if (!existsSync(path)) throw storeMissing(config, path);
    const db = openDatabase({ path, synchronous: config.store.synchronous, busyTimeoutMs: config.store.busyTimeoutMs, pageSize: config.store.pageSize, mustExist: !create });
    try {
      return fn(new DeviceRegistry(db));
    } finally {
      db.close();
    }
  };
  const common = (c: Command) =>
    c.option('--data <dir>', 'data directory (default ./data)').option('--config <file>', 'JSON configuration file');

  common(cmd.command('add <id>').description('provision a device and print its new token (shown once)')).action(
    (id: string, flags: CommonFlags) => {
      checkDeviceId(id);
      const token = withRegistry(flags, true, (r) => r.add(id, Date.now()));
      out(`device ${id} added. Its token (store it now: it is not shown again):\n${token}\n`);
    },
  );

  common(cmd.command('list').description('list devices with their statistics'))
    .option('--json', 'print JSON for scripts')
    .action((flags: CommonFlags & { json?: boolean }) => {
      const devices = withRegistry(flags, false, (r) => r.list());
      out(flags.json ? `${JSON.stringify(devices, null, 2)}\n` : formatDeviceTable(devices, Date.now(), configFor(flags).http.silentAfterMs));
    });

  common(cmd.command('revoke <id>').description('revoke a device; a connected board is disconnected within seconds')).action(
    (id: string, flags: CommonFlags) => {
      withRegistry(flags, false, (r) => r.revoke(id, Date.now()));
      out(`device ${id} revoked\n`);
    },
  );
  return cmd;
}

function storeMissing(config: Config, path: string): StartupError {
  return new StartupError(
    'STORE_MISSING',
    `no store in data directory ${config.dataDir} (${path} does not exist): check --data; \`sheetlog start --data ${config.dataDir}\` or \`sheetlog devices add\` creates it`,
  );
}
