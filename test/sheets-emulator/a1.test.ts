import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { columnToLetters, formatA1, formatBounds, lettersToColumn, parseA1, quoteSheetName } from './a1.js';

describe('A1 columns', () => {
  it('converts letters and indexes both ways, including AA and ZZZ', () => {
    assert.equal(lettersToColumn('A'), 0);
    assert.equal(lettersToColumn('z'), 25);
    assert.equal(lettersToColumn('AA'), 26);
    assert.equal(lettersToColumn('ZZZ'), 18277);
    assert.equal(lettersToColumn('AAAA'), undefined);
    for (const n of [0, 25, 26, 51, 701, 702, 18277]) assert.equal(lettersToColumn(columnToLetters(n)), n);
  });
});

describe('parseA1', () => {
  it('parses a plain box with a sheet name', () => {
    assert.deepEqual(parseA1('Sheet1!A1:C3'), { sheetName: 'Sheet1', bounds: { startRow: 0, endRow: 3, startColumn: 0, endColumn: 3 } });
  });

  it('parses a single cell', () => {
    assert.deepEqual(parseA1('Sheet1!B2'), { sheetName: 'Sheet1', bounds: { startRow: 1, endRow: 2, startColumn: 1, endColumn: 2 }, singleCell: true });
  });

  it('parses quoted names with spaces and doubled apostrophes', () => {
    assert.deepEqual(parseA1("'My tab'!A1:C"), { sheetName: 'My tab', bounds: { startRow: 0, startColumn: 0, endColumn: 3 } });
    assert.equal(parseA1("'It''s mine'!A1")?.sheetName, "It's mine");
    assert.deepEqual(parseA1("'My tab'"), { sheetName: 'My tab', bounds: {} });
  });

  it('parses whole columns, whole rows and open-ended ranges', () => {
    assert.deepEqual(parseA1('Log!A:C')?.bounds, { startColumn: 0, endColumn: 3 });
    assert.deepEqual(parseA1('Log!2:4')?.bounds, { startRow: 1, endRow: 4 });
    assert.deepEqual(parseA1('Log!A5:C')?.bounds, { startRow: 4, startColumn: 0, endColumn: 3 });
    assert.deepEqual(parseA1('Log!AA1:2')?.bounds, { startRow: 0, endRow: 2, startColumn: 26 });
  });

  it('normalises reversed corners', () => {
    assert.deepEqual(parseA1('S!C3:A1')?.bounds, { startRow: 0, endRow: 3, startColumn: 0, endColumn: 3 });
  });

  it('reads a bare cell range as the first sheet and a bare word as a sheet title', () => {
    assert.deepEqual(parseA1('A1:B2'), { sheetName: undefined, bounds: { startRow: 0, endRow: 2, startColumn: 0, endColumn: 2 } });
    assert.equal(parseA1('C7')?.singleCell, true);
    assert.deepEqual(parseA1('Readings'), { sheetName: 'Readings', bounds: {} });
  });

  it('rejects what Sheets cannot parse', () => {
    for (const bad of ['', 'Sheet1!', 'Sheet1!A', 'Sheet1!5', 'Sheet1!A0', 'Sheet1!AAAA1', "'unterminated!A1", "'x'A1", 'S!A1:B2:C3', "''!A1"]) {
      assert.equal(parseA1(bad), undefined, bad);
    }
  });
});

describe('formatting', () => {
  it('quotes sheet names only when Google does', () => {
    assert.equal(quoteSheetName('Sheet1'), 'Sheet1');
    assert.equal(quoteSheetName('readings_2026'), 'readings_2026');
    assert.equal(quoteSheetName('My tab'), "'My tab'");
    assert.equal(quoteSheetName("It's"), "'It''s'");
    // Looks like a cell reference (column TAB, row 1): Google quotes it.
    assert.equal(quoteSheetName('tab01'), "'tab01'");
    assert.equal(quoteSheetName('R1C1'), "'R1C1'");
    assert.equal(quoteSheetName('2026'), "'2026'");
  });

  it('prints boxes, single cells and open ends like Google error messages', () => {
    assert.equal(formatA1('Sheet1', { startRow: 1000, endRow: 1001, startColumn: 0, endColumn: 2 }), 'Sheet1!A1001:B1001');
    assert.equal(formatA1('Sheet1', { startRow: 0, endRow: 1, startColumn: 0, endColumn: 1 }), 'Sheet1!A1');
    assert.equal(formatBounds({ startRow: 1000, startColumn: 0, endColumn: 2 }), 'A1001:B');
    assert.equal(formatBounds({ startRow: 0, endRow: 2, startColumn: 26 }), 'AA1:2');
    assert.equal(formatA1('My tab', { startRow: 0, endRow: 3, startColumn: 0, endColumn: 3 }), "'My tab'!A1:C3");
  });

  it('round-trips through parse and format', () => {
    for (const text of ['Sheet1!A1:C3', "'My tab'!B2", 'Log!AA10:AB20']) {
      const parsed = parseA1(text);
      assert.ok(parsed?.sheetName);
      assert.equal(formatA1(parsed.sheetName, parsed.bounds), text);
    }
  });
});
