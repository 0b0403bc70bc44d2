import { join } from 'node:path';
import { Command } from 'commander';
import { billCalculatorFor } from '../billing/create.js';
import { BillError } from '../billing/bill.js';
import { formatBill } from '../billing/format.js';
import { openDatabase } from '../store/database.js';
import { configFor, type CommonFlags } from './options.js';

export class BillCommandError extends Error {}

/** `sheetlog bill <device> [--month YYYY-MM]`: read-only, works beside a running gateway (WAL). */
export function billCommand(out: (s: string) => void, now: () => number = Date.now): Command {
  return new Command('bill')
    .description('print a device\'s bill for a billing month (default: this month, to date)')
    .argument('<device>', 'device id')
    .option('--month <YYYY-MM>', 'billing month')
    .option('--json', 'print JSON for scripts')
    .option('--data <dir>', 'data directory (default ./data)')
    .option('--config <file>', 'JSON configuration file')
    .action((device: string, flags: CommonFlags & { month?: string; json?: boolean }) => {
      const config = configFor(flags);
      const db = openDatabase({ path: join(config.dataDir, config.store.file), synchronous: config.store.synchronous, busyTimeoutMs: config.store.busyTimeoutMs, pageSize: config.store.pageSize });
      try {
        const bill = billCalculatorFor(config, db).bill(device, flags.month, now());
        out(flags.json ? `${JSON.stringify(bill, null, 2)}\n` : formatBill(bill));
      } catch (e) {
        if (e instanceof BillError) throw new BillCommandError(`${e.code}: ${e.message}`);
        throw e;
      } finally {
        db.close();
      }
    });
}
