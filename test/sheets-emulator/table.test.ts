import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { currentRegion, findAppendTarget } from './table.js';

/** A grid from rows of strings: any non-space character is a filled cell. */
function gridOf(...rows: string[]): { filled: (r: number, c: number) => boolean; size: { rowCount: number; columnCount: number } } {
  const width = Math.max(...rows.map((r) => r.length));
  return {
    filled: (r, c) => (rows[r]?.[c] ?? ' ') !== ' ',
    size: { rowCount: rows.length + 5, columnCount: width + 3 },
  };
}

const whole = (g: ReturnType<typeof gridOf>) => ({ startRow: 0, endRow: g.size.rowCount, startColumn: 0, endColumn: g.size.columnCount });

describe('append table detection', () => {
  it('appends after the last row of a table starting at A1', () => {
    const g = gridOf('xxx', 'xxx', 'xxx');
    const t = findAppendTarget(whole(g), g.size, g.filled);
    assert.deepEqual(t.table, { startRow: 0, endRow: 3, startColumn: 0, endColumn: 3 });
    assert.equal(t.row, 3);
    assert.equal(t.column, 0);
  });

  it('writes at the range start when the range holds no data', () => {
    const g = gridOf('   ', '   ');
    const t = findAppendTarget({ startRow: 1, endRow: 2, startColumn: 1, endColumn: 3 }, g.size, g.filled);
    assert.equal(t.table, undefined);
    assert.deepEqual([t.row, t.column], [1, 1]);
  });

  it('finds the table from a single anchor cell and follows it below the range', () => {
    const g = gridOf('hhh', 'ddd', 'ddd', 'ddd');
    const t = findAppendTarget({ startRow: 0, endRow: 1, startColumn: 0, endColumn: 1 }, g.size, g.filled);
    assert.equal(t.row, 4);
  });

  it('stops at the first empty row: a gap inside the data is where Google appends', () => {
    const g = gridOf('xxx', 'xxx', '   ', 'xxx');
    const t = findAppendTarget(whole(g), g.size, g.filled);
    assert.deepEqual(t.table, { startRow: 0, endRow: 2, startColumn: 0, endColumn: 3 });
    assert.equal(t.row, 2);
  });

  it('starts at the table\'s first column even when the range starts further right', () => {
    //           A B C D
    const g = gridOf('    ', ' xx ', '  xx', ' xxx');
    const t = findAppendTarget({ startRow: 2, endRow: 3, startColumn: 2, endColumn: 4 }, g.size, g.filled);
    assert.deepEqual(t.table, { startRow: 1, endRow: 4, startColumn: 1, endColumn: 4 });
    assert.deepEqual([t.row, t.column], [4, 1]);
  });

  it('ignores data above and left of a separate table found in the range', () => {
    const g = gridOf('xx    ', 'xx    ', '      ', '   yy ', '   yy ');
    const t = findAppendTarget({ startRow: 2, endRow: 9, startColumn: 3, endColumn: 5 }, g.size, g.filled);
    assert.deepEqual(t.table, { startRow: 3, endRow: 5, startColumn: 3, endColumn: 5 });
    assert.deepEqual([t.row, t.column], [5, 3]);
  });

  it('treats a diagonally touching cell as part of the region', () => {
    const g = gridOf('x  ', ' x ', '  x');
    assert.deepEqual(currentRegion({ row: 0, column: 0 }, g.size, g.filled), { startRow: 0, endRow: 3, startColumn: 0, endColumn: 3 });
  });

  it('handles a long table without quadratic cost', () => {
    const rows = 200_000;
    const t0 = performance.now();
    const t = findAppendTarget(
      { startRow: 0, endRow: rows + 10, startColumn: 0, endColumn: 9 },
      { rowCount: rows + 10, columnCount: 9 },
      (r, c) => r < rows && c < 9,
    );
    assert.equal(t.row, rows);
    assert.ok(performance.now() - t0 < 2000, 'table detection took too long');
  });
});
