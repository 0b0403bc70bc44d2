import type { Db } from '../store/database.js';
import type { Bill } from './bill.js';

/** A stored bill row (table `bills`). */
export interface BillRow {
  id: number;
  device: string;
  month: string;
  start: number;
  end: number;
  final: number;
  bill: string;
  revision: number;
}

export const BILL_COLUMNS_SQL = 's.id, s.device, s.month, s.start, s.end, s.final, s.bill, s.revision';

/** The bills table: one row per device and month, revised when its figures change. */
export class BillStore {
  constructor(private readonly db: Db) {}

  /** Stores a bill; the revision goes up only when it changed. */
  upsert(bill: Bill, span: { start: number; end: number }, now: number): void {
    const text = JSON.stringify(bill);
    const existing = this.db.prepare('SELECT id, bill FROM bills WHERE device = ? AND month = ?').get(bill.device, bill.month) as { id: number; bill: string } | undefined;
    if (existing?.bill === text) return;
    if (existing) {
      this.db.prepare('UPDATE bills SET final = ?, bill = ?, revision = revision + 1, updated_at = ? WHERE id = ?').run(bill.final ? 1 : 0, text, now, existing.id);
    } else {
      this.db
        .prepare('INSERT INTO bills (device, month, start, end, final, bill, revision, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?)')
        .run(bill.device, bill.month, span.start, span.end, bill.final ? 1 : 0, text, now);
    }
  }

  /** Bills not yet final whose month has ended by `now` (they turn final). */
  closing(now: number): { device: string; month: string }[] {
    return this.db.prepare('SELECT device, month FROM bills WHERE final = 0 AND end <= ?').all(now) as { device: string; month: string }[];
  }

  all(): BillRow[] {
    return this.db.prepare(`SELECT ${BILL_COLUMNS_SQL} FROM bills s ORDER BY month, device`).all() as BillRow[];
  }
}
