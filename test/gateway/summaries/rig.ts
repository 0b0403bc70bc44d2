import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../../gateway/store/database.js';
import { FieldRules } from '../../../gateway/fields/rules.js';
import { SummaryBuilder } from '../../../gateway/summaries/builder.js';
import { summariesSection } from '../../../gateway/config/sections/summaries.js';
import { fieldsSection } from '../../../gateway/config/sections/fields.js';
import { tempDir } from '../../helpers/app.js';

/** A fresh SQLite file with a summary builder over it and a way to store readings. */
export function summaryRig(
  t: { after(fn: () => void): void },
  opts: { periods?: string[]; timeZone?: string; graceMs?: number; fields?: unknown[] } = {},
): { db: Db; builder: SummaryBuilder; add(device: string, boot: number, ts: number, fields: Record<string, unknown>): void } {
  const dir = tempDir();
  const db = openDatabase({ path: join(dir, 's.db'), synchronous: 'NORMAL', busyTimeoutMs: 1000 });
  t.after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const config = summariesSection.parse({ periods: opts.periods ?? ['1h', '1d'], timeZone: opts.timeZone ?? 'UTC', graceMs: opts.graceMs ?? 60_000 });
  const rules = new FieldRules(fieldsSection.parse(opts.fields ?? [{ match: 'energy_wh', kind: 'counter', unit: 'Wh', wrap: 65536 }, { match: 'temp', scale: 0.5, unit: '°C' }]));
  const builder = new SummaryBuilder(db, config, rules, config.timeZone);
  const insert = db.prepare(`INSERT INTO readings (device, boot, seq, ts, ts_source, received, fields, bytes) VALUES (?, ?, ?, ?, 'device', ?, ?, 9)`);
  const seqs = new Map<string, number>();
  return {
    db,
    builder,
    add: (device, boot, ts, fields) => {
      const key = `${device}/${boot}`;
      const seq = (seqs.get(key) ?? 0) + 1;
      seqs.set(key, seq);
      insert.run(device, boot, seq, ts, ts, JSON.stringify(fields));
    },
  };
}
