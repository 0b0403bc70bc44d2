import { join } from 'node:path';
import { Command } from 'commander';
import { openDatabase } from '../store/database.js';
import { DeviceRegistry } from '../store/devices.js';
import { formatDeviceTable } from '../report.js';
import { configFor, type CommonFlags } from './options.js';

/** `sheetlog devices add|list|revoke`: provisioning that works while the gateway runs (WAL). */
export function devicesCommand(out: (s: string) => void): Command {
  const cmd = new Command('devices').description('manage the device registry');
  const withRegistry = <T>(flags: CommonFlags, fn: (r: DeviceRegistry) => T): T => {
    const config = configFor(flags);
    const db = openDatabase({
      path: join(config.dataDir, config.store.file),
      synchronous: config.store.synchronous,
      busyTimeoutMs: config.store.busyTimeoutMs,
    });
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
      const token = withRegistry(flags, (r) => r.add(id, Date.now()));
      out(`device ${id} added. Its token (store it now: it is not shown again):\n${token}\n`);
    },
  );

  common(cmd.command('list').description('list devices with their statistics'))
    .option('--json', 'print JSON for scripts')
    .action((flags: CommonFlags & { json?: boolean }) => {
      const devices = withRegistry(flags, (r) => r.list());
      out(flags.json ? `${JSON.stringify(devices, null, 2)}\n` : formatDeviceTable(devices, Date.now(), configFor(flags).http.silentAfterMs));
    });

  common(cmd.command('revoke <id>').description('revoke a device; a connected board is disconnected within seconds')).action(
    (id: string, flags: CommonFlags) => {
      withRegistry(flags, (r) => r.revoke(id, Date.now()));
      out(`device ${id} revoked\n`);
    },
  );
  return cmd;
}
