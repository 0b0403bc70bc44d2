// A person working in a spreadsheet in the browser, for tests: their edits go straight into the
// model, as the spreadsheet's owner (OWNER), without quota, faults or the request log. Combined
// with the `between` hook they happen between any two of the gateway's requests, including
// right after a write that was applied and then dropped.

import { spreadsheetsBatchUpdate } from './batch-update.js';
import type { EmulatorContext } from './context.js';
import { OWNER } from './model.js';
import { valuesGet, valuesUpdate } from './values.js';

type Json = Record<string, unknown>;

export interface Person {
  /** The account the edits are made as (protections never stop it). */
  readonly account: string;
  /** spreadsheets.batchUpdate as this person; returns the replies. */
  batchUpdate(requests: Json[]): Json[];
  /** Types values into a range (USER_ENTERED, like the browser: "=A2*2" is a formula). */
  type(range: string, values: unknown[][]): void;
  /** The range as the person sees it (FORMATTED_VALUE). */
  read(range: string): unknown[][];
  /** The sheetId of a tab, by title. */
  sheetId(title: string): number;
  /** A tab's grid size, as the browser shows it. */
  grid(title: string): { rowCount: number; columnCount: number };
}

export function personIn(ctx: Pick<EmulatorContext, 'data'>, spreadsheetId: string): Person {
  // The person acts as the owner: no `actor` is set while their edits are applied.
  const asOwner = <T>(fn: () => T): T => {
    const saved = ctx.data.actor;
    delete ctx.data.actor;
    try {
      return fn();
    } finally {
      if (saved !== undefined) ctx.data.actor = saved;
    }
  };
  const tab = (title: string) => {
    const sheet = ctx.data.spreadsheets.get(spreadsheetId)?.sheets.find((s) => s.title.toLowerCase() === title.toLowerCase());
    if (!sheet) throw new Error(`no tab "${title}" in ${spreadsheetId}`);
    return sheet;
  };
  return {
    account: OWNER,
    batchUpdate: (requests) => asOwner(() => spreadsheetsBatchUpdate(ctx.data, spreadsheetId, { requests }).replies),
    type: (range, values) => {
      asOwner(() => valuesUpdate(ctx.data, spreadsheetId, range, { values }, new URLSearchParams({ valueInputOption: 'USER_ENTERED' })));
    },
    read: (range) => (valuesGet(ctx.data, spreadsheetId, range, new URLSearchParams()).values ?? []) as unknown[][],
    sheetId: (title) => tab(title).sheetId,
    grid: (title) => ({ rowCount: tab(title).rowCount, columnCount: tab(title).columnCount }),
  };
}
