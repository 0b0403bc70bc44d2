import type { BillingConfig } from '../config/sections/billing.js';
import type { SummaryCell } from '../summaries/columns.js';
import { SummaryPlaces } from '../summaries/places.js';
import type { PlacedTable } from '../summaries/placed-table.js';
import type { Bill } from './bill.js';
import { BILL_COLUMNS_SQL, type BillRow } from './store.js';

/** The `bills` table in the sinks: one row per device and month, with a quantity and cost per tier. */
export function billsPlacedTable(config: BillingConfig): PlacedTable<BillRow> {
  const tierColumns = config.tiers.flatMap((_, i) => [`tier_${i + 1}_quantity`, `tier_${i + 1}_cost`]);
  return {
    title: 'bills',
    columns: ['month', 'device', 'from', 'to', 'final', 'unit', 'consumption', 'tier_reached', ...tierColumns, 'fixed_charge', 'energy_cost', 'total', 'currency', 'revision'],
    places: (db, sink) => new SummaryPlaces<BillRow>(db, sink, 'bills', { table: 'bills', columns: BILL_COLUMNS_SQL, where: '1 = 1', args: [], order: 's.month, s.device' }),
    cells: (row) => billCells(row, config.tiers.length),
  };
}

/** The cells of a bill row (pure). */
export function billCells(row: BillRow, tiers: number): SummaryCell[] {
  const b = JSON.parse(row.bill) as Bill;
  const perTier: SummaryCell[] = [];
  for (let i = 0; i < tiers; i++) perTier.push(b.tiers[i]?.quantity ?? 0, b.tiers[i]?.cost ?? 0);
  return [b.month, b.device, { time: row.start }, { time: row.end }, b.final ? 'final' : 'to date', b.unit, b.consumption, b.tierReached, ...perTier, b.fixedCharge, b.energyCost, b.total, b.currency, row.revision];
}
