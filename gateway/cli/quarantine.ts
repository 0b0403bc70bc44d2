import { join } from 'node:path';
import { Command } from 'commander';
import { openDatabase } from '../store/database.js';
import { StoreError } from '../store/errors.js';
import { Quarantine, type QuarantineEntry, type QuarantineFilter, type QuarantineState } from '../store/quarantine.js';
import { isoOrValue } from '../time/instant.js';
import { configFor, type CommonFlags } from './options.js';

interface SelectFlags extends CommonFlags {
  sink?: string;
  device?: string;
  all?: boolean;
}

/**
 * `sheetlog quarantine list|retry|drop`: the rows sinks could not write (docs/SHEETS.md, "Sink
 * errors and quarantine"). Works beside a running gateway (WAL; each change is one transaction):
 * the gateway's workers see retried rows at their next look.
 */
export function quarantineCommand(out: (s: string) => void): Command {
  const cmd = new Command('quarantine').description('list, retry or drop the rows a sink could not write');
  const withQuarantine = <T>(flags: CommonFlags, fn: (q: Quarantine) => T): T => {
    const config = configFor(flags);
    const db = openDatabase({ path: join(config.dataDir, config.store.file), synchronous: config.store.synchronous, busyTimeoutMs: config.store.busyTimeoutMs, pageSize: config.store.pageSize });
    try {
      return fn(new Quarantine(db));
    } finally {
      db.close();
    }
  };
  const common = (c: Command) =>
    c
      .option('--data <dir>', 'data directory (default ./data)')
      .option('--config <file>', 'JSON configuration file')
      .option('--sink <name>', 'only this sink (csv, google-sheets)')
      .option('--device <id>', 'only this device');

  common(cmd.command('list').description('list quarantined rows, newest first'))
    .option('--all', 'also rows already retried or dropped (the record)')
    .option('--json', 'print JSON for scripts')
    .action((flags: SelectFlags & { json?: boolean }) => {
      const states: QuarantineState[] = flags.all ? ['held', 'retried', 'dropped'] : ['held'];
      const entries = withQuarantine(flags, (q) => q.list(filterOf([], flags), states));
      out(flags.json ? `${JSON.stringify(entries, null, 2)}\n` : formatEntries(entries));
    });

  common(cmd.command('retry [ids...]').description('give rows back to their sink, which writes them after what it has'))
    .option('--all', 'every held row (of --sink / --device, if given)')
    .action((ids: string[], flags: SelectFlags) => {
      const filter = selection(ids, flags);
      const r = withQuarantine(flags, (q) => q.retry(filter, Date.now()));
      out(`${r.retried} row(s) given back to their sink\n`);
      if (r.waiting.length > 0) out(`${r.waiting.length} row(s) left held: another sink has not yet passed them; retry later (entries ${r.waiting.join(', ')})\n`);
      if (r.missing.length > 0) out(`${r.missing.length} row(s) left held: the reading is no longer stored; drop them (entries ${r.missing.join(', ')})\n`);
    });

  common(cmd.command('drop [ids...]').description('give rows up for good; the entries stay as the record'))
    .option('--all', 'every held row (of --sink / --device, if given)')
    .action((ids: string[], flags: SelectFlags) => {
      const n = withQuarantine(flags, (q) => q.drop(selection(ids, flags), Date.now()));
      out(`${n} row(s) dropped (see them with \`sheetlog quarantine list --all\`)\n`);
    });
  return cmd;
}

/** retry and drop act on what was named: entry ids, or --all (narrowed by --sink / --device). */
function selection(ids: readonly string[], flags: SelectFlags): QuarantineFilter {
  if (ids.length === 0 && !flags.all) throw new StoreError('QUARANTINE_SELECTION', 'name entry ids (from `sheetlog quarantine list`) or --all');
  if (ids.length > 0 && flags.all) throw new StoreError('QUARANTINE_SELECTION', 'give entry ids or --all, not both');
  const bad = ids.find((s) => !/^\d{1,15}$/.test(s));
  if (bad !== undefined) throw new StoreError('QUARANTINE_SELECTION', `not an entry id: ${bad}`);
  return filterOf(ids.map(Number), flags);
}

function filterOf(ids: number[], flags: SelectFlags): QuarantineFilter {
  return { ids, ...(flags.sink !== undefined ? { sink: flags.sink } : {}), ...(flags.device !== undefined ? { device: flags.device } : {}) };
}

function formatEntries(entries: readonly QuarantineEntry[]): string {
  if (entries.length === 0) return 'no quarantined rows\n';
  const rows = entries.map((e) => [String(e.id), e.sink, e.device, String(e.boot), String(e.seq), isoOrValue(e.ts), e.code, e.state, e.reason]);
  const head = ['entry', 'sink', 'device', 'boot', 'seq', 'time', 'code', 'state', 'reason'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (r: string[]) => `${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] as number))).join('  ')}\n`;
  return line(head) + rows.map(line).join('');
}
