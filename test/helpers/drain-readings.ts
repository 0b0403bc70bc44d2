import assert from 'node:assert/strict';
import type { RecentFilter, RecentReadings } from '../../gateway/store/recent-readings.js';

/**
 * Every reading a query matches, newest first, paged as the API pages it: after a full page from
 * its last id, after a page cut by the scan budget from `resumeBefore`. Also how many pages the
 * budget cut.
 */
export function drainReadings(recent: RecentReadings, filter: Omit<RecentFilter, 'beforeId' | 'limit'>, limit: number): { ids: number[]; cut: number } {
  const ids: number[] = [];
  let before: number | undefined;
  let cut = 0;
  for (let pages = 0; ; pages++) {
    assert.ok(pages < 100_000, 'paging ends');
    const page = recent.page({ ...filter, limit, ...(before !== undefined ? { beforeId: before } : {}) });
    assert.ok(page.rows.length <= limit);
    for (const r of page.rows) assert.ok(before === undefined || r.id < before, 'a page holds only readings below its cursor');
    ids.push(...page.rows.map((r) => r.id));
    if (page.resumeBefore !== null) {
      assert.ok(page.rows.length < limit, 'only a page the budget cut says where to go on');
      assert.ok(before === undefined || page.resumeBefore < before, 'each cut page moves down');
      cut++;
      before = page.resumeBefore;
    } else if (page.rows.length === limit) {
      before = (page.rows[page.rows.length - 1] as { id: number }).id;
    } else {
      return { ids, cut };
    }
  }
}
