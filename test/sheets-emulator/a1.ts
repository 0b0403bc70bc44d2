// Pure A1-notation parsing and formatting, as the Sheets API v4 reads and writes it.
//
// Bounds are 0-based and half-open (like the API's GridRange); `undefined` means "open":
// the range runs to the edge of the grid on that side. `Sheet1!A:C` has no row bounds,
// `Sheet1!A5:C` has startRow 4 and no endRow, `Sheet1!1:3` has no column bounds.

/** Largest column Sheets can address (ZZZ). */
export const MAX_COLUMNS = 18278;
/** Rows beyond this cannot exist: the workbook limit is 10M cells. */
export const MAX_ROWS = 10_000_000;

export interface GridBounds {
  startRow?: number;
  endRow?: number;
  startColumn?: number;
  endColumn?: number;
}

/** A fully bounded rectangle (0-based, half-open). */
export interface Box {
  startRow: number;
  endRow: number;
  startColumn: number;
  endColumn: number;
}

export interface ParsedRange {
  /** Sheet title as written (unquoted); undefined when the range names no sheet (= first sheet). */
  sheetName: string | undefined;
  bounds: GridBounds;
  /** Written as one cell ("A1"): for writes Google treats it as an anchor, not a 1x1 bound. */
  singleCell?: true;
}

function withBounds(sheetName: string | undefined, cellPart: string): ParsedRange | undefined {
  const bounds = parseCellPart(cellPart);
  if (!bounds) return undefined;
  return cellPart.includes(':') ? { sheetName, bounds } : { sheetName, bounds, singleCell: true };
}

interface Endpoint {
  column?: number;
  row?: number;
}

const ENDPOINT = /^([A-Za-z]{0,3})([0-9]{0,8})$/;

/** "A" -> 0, "Z" -> 25, "AA" -> 26. Returns undefined for anything that is not 1-3 letters. */
export function lettersToColumn(letters: string): number | undefined {
  if (!/^[A-Za-z]{1,3}$/.test(letters)) return undefined;
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/** 0 -> "A", 25 -> "Z", 26 -> "AA". */
export function columnToLetters(index: number): string {
  let n = index + 1;
  let out = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    out = String.fromCharCode(65 + rem) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

function parseEndpoint(text: string): Endpoint | undefined {
  const m = ENDPOINT.exec(text);
  if (!m || text.length === 0) return undefined;
  const [, letters = '', digits = ''] = m;
  const endpoint: Endpoint = {};
  if (letters) {
    const column = lettersToColumn(letters);
    if (column === undefined || column >= MAX_COLUMNS) return undefined;
    endpoint.column = column;
  }
  if (digits) {
    const row = Number(digits);
    if (row < 1 || row > MAX_ROWS) return undefined;
    endpoint.row = row - 1;
  }
  return endpoint;
}

/** Parses the part after `!` (or a bare cell range): "A1", "A1:B2", "A:C", "1:3", "A5:C", "AA1:2". */
export function parseCellPart(text: string): GridBounds | undefined {
  const parts = text.split(':');
  if (parts.length > 2) return undefined;
  const start = parseEndpoint(parts[0] ?? '');
  if (!start) return undefined;
  if (parts.length === 1) {
    // A lone endpoint must be a whole cell; "A" or "5" alone is not a range in Sheets.
    if (start.column === undefined || start.row === undefined) return undefined;
    return { startRow: start.row, endRow: start.row + 1, startColumn: start.column, endColumn: start.column + 1 };
  }
  const end = parseEndpoint(parts[1] ?? '');
  if (!end) return undefined;
  // A missing start coordinate means "from the first row/column"; a missing end one means "to the edge".
  let startRow = start.row ?? 0;
  let startColumn = start.column ?? 0;
  let endRow = end.row;
  let endColumn = end.column;
  // Reversed corners (B2:A1) name the same rectangle.
  if (endRow !== undefined && endRow < startRow) [startRow, endRow] = [endRow, startRow];
  if (endColumn !== undefined && endColumn < startColumn) [startColumn, endColumn] = [endColumn, startColumn];
  const bounds: GridBounds = { startRow, startColumn };
  if (endRow !== undefined) bounds.endRow = endRow + 1;
  if (endColumn !== undefined) bounds.endColumn = endColumn + 1;
  // "A:C" and "1:3" leave the other dimension fully open, start included.
  if (start.row === undefined && end.row === undefined) delete bounds.startRow;
  if (start.column === undefined && end.column === undefined) delete bounds.startColumn;
  return bounds;
}

function parseQuotedName(text: string): { name: string; rest: string } | undefined {
  let name = '';
  let i = 1;
  while (i < text.length) {
    const ch = text[i];
    if (ch === "'") {
      if (text[i + 1] === "'") {
        name += "'";
        i += 2;
        continue;
      }
      return { name, rest: text.slice(i + 1) };
    }
    name += ch;
    i += 1;
  }
  return undefined;
}

/**
 * Parses an A1 range as the API accepts it: `Sheet1`, `'My tab'`, `Sheet1!A1:C`, `'It''s'!A:A`,
 * or a bare `A1:B2` (first sheet). Returns undefined when the text is not A1 notation; the
 * caller turns that into Google's "Unable to parse range" error.
 */
export function parseA1(text: string): ParsedRange | undefined {
  if (text.length === 0) return undefined;
  if (text.startsWith("'")) {
    const quoted = parseQuotedName(text);
    if (!quoted || quoted.name.length === 0) return undefined;
    if (quoted.rest === '') return { sheetName: quoted.name, bounds: {} };
    if (!quoted.rest.startsWith('!')) return undefined;
    return withBounds(quoted.name, quoted.rest.slice(1));
  }
  const bang = text.lastIndexOf('!');
  if (bang >= 0) {
    const sheetName = text.slice(0, bang);
    return sheetName ? withBounds(sheetName, text.slice(bang + 1)) : undefined;
  }
  // No "!": a cell range on the first sheet if it reads as one, otherwise a sheet title.
  return withBounds(undefined, text) ?? { sheetName: text, bounds: {} };
}

/**
 * Quotes a sheet title the way Google does in the ranges it returns: only when the bare title
 * could be misread (spaces, punctuation, or something that looks like a cell such as `tab01`).
 */
export function quoteSheetName(title: string): string {
  const plain = /^[\p{L}_][\p{L}\p{N}_]*$/u.test(title);
  const looksLikeCell = /^[A-Za-z]{1,3}[0-9]+$/.test(title);
  const looksLikeR1C1 = /^[Rr][0-9]*[Cc][0-9]*$/.test(title);
  if (plain && !looksLikeCell && !looksLikeR1C1) return title;
  return `'${title.replaceAll("'", "''")}'`;
}

/** Formats bounds as Google prints them: `A1`, `A1:B2`, `A1001:B` (open rows), `AA1:2` (open columns). */
export function formatBounds(bounds: GridBounds): string {
  const start = `${columnToLetters(bounds.startColumn ?? 0)}${(bounds.startRow ?? 0) + 1}`;
  const endColumn = bounds.endColumn === undefined ? '' : columnToLetters(bounds.endColumn - 1);
  const endRow = bounds.endRow === undefined ? '' : String(bounds.endRow);
  const end = `${endColumn}${endRow}`;
  return end === start ? start : `${start}:${end}`;
}

export function formatA1(sheetTitle: string, bounds: GridBounds): string {
  return `${quoteSheetName(sheetTitle)}!${formatBounds(bounds)}`;
}

/** Formats a single cell, e.g. for state snapshots: (0, 0) -> "A1". */
export function cellName(row: number, column: number): string {
  return `${columnToLetters(column)}${row + 1}`;
}
