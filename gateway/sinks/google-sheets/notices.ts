import type { SpreadsheetMeta } from './api.js';
import type { TabRecord } from './bookkeeping.js';
import type { QuotaLimitHit } from './request-error.js';

/**
 * What the sink says about a spreadsheet people work in, in words they can act on. Pure: built
 * from the spreadsheet's metadata (api.ts) and the sink's tabs.
 */

export interface Notice {
  /** A notice, never a failure: sync goes on. */
  code: 'FILTERED';
  message: string;
}

/** FILTERED: a person's basic filter on a sheetlog tab that ends above the rows sheetlog adds. */
export function filterNotices(meta: SpreadsheetMeta, tabs: readonly TabRecord[]): Notice[] {
  const own = new Map(tabs.map((t) => [t.sheetId, t]));
  return meta.sheets.flatMap((s) => {
    const tab = own.get(s.sheetId);
    if (!tab || !s.filterRows || s.filterRows.last >= tab.nextRow - 1) return [];
    const { first, last } = s.filterRows;
    return [{ code: 'FILTERED' as const, message: `a filter on tab "${s.title}" covers rows ${first}-${last}; rows sheetlog adds below row ${last} are outside it (extend the filter's range to include them)` }];
  });
}

/** ' on tab "readings" (locked by Ana)': the protected ranges on sheetlog's tabs, '' if none known. */
export function protectionsOf(meta: SpreadsheetMeta, tabs: readonly TabRecord[]): string {
  const own = new Set(tabs.map((t) => t.sheetId));
  const hit = meta.sheets.find((s) => own.has(s.sheetId) && s.protections);
  return hit ? ` on tab "${hit.title}" (${hit.protections?.join('; ')})` : '';
}

/** Which of Google's limits a 429 came from (docs/SHEETS.md, "Quotas"). */
export function describeQuota(q: QuotaLimitHit, who: string): string {
  const value = q.value !== undefined ? ` of ${q.value}/min` : '';
  if (q.scope === 'project') return `Google's per-project limit ${q.limit}${value}: shared by every gateway and app using the same Google Cloud project; see "Quotas" in docs/SHEETS.md`;
  if (q.scope === 'user') return `Google's per-user limit ${q.limit}${value} for ${who}`;
  return `Google's limit ${q.limit}${value}`;
}
