import type { Bill } from './bill.js';

/** A bill as text for the terminal (pure). */
export function formatBill(b: Bill): string {
  const money = (v: number) => `${v.toFixed(2)} ${b.currency}`;
  const lines = [
    `bill ${b.device} ${b.month} (${b.from} .. ${b.to})${b.final ? ' final' : ' month to date'}`,
    `consumption: ${b.consumption} ${b.unit} (${b.field}, ${b.readings} readings), tier reached: ${b.tierReached}`,
  ];
  for (const t of b.tiers) {
    lines.push(`  tier ${t.tier} ${t.from}..${t.to ?? '∞'} ${b.unit}: ${t.quantity} × ${t.price} = ${money(t.cost)}`);
  }
  lines.push(`fixed charge: ${money(b.fixedCharge)}`, `total: ${money(b.total)}`);
  return `${lines.join('\n')}\n`;
}
