// Field masks: the `fields` partial-response parameter and batchUpdate masks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from './errors.js';
import { applyPartialResponse, parseFieldMask } from './fields.js';

describe('field masks', () => {
  it('parses dotted paths, nested groups and *', () => {
    assert.deepEqual(parseFieldMask('sheets(properties(sheetId,title)),spreadsheetId'), [
      ['sheets', 'properties', 'sheetId'],
      ['sheets', 'properties', 'title'],
      ['spreadsheetId'],
    ]);
    assert.deepEqual(parseFieldMask('userEnteredFormat.textFormat.bold, *'), [['userEnteredFormat', 'textFormat', 'bold'], ['*']]);
    assert.throws(() => parseFieldMask('sheets(properties'), ApiError);
    assert.throws(() => parseFieldMask('a,,b'), ApiError);
  });

  it('trims a response to the mask, element by element in arrays', () => {
    const body = {
      spreadsheetId: 'x',
      properties: { title: 'T', locale: 'en_US' },
      sheets: [
        { properties: { sheetId: 0, title: 'A', gridProperties: { rowCount: 5, columnCount: 2, frozenRowCount: 1 } } },
        { properties: { sheetId: 9, title: 'B', gridProperties: { rowCount: 7, columnCount: 3 } } },
      ],
    };
    assert.deepEqual(applyPartialResponse(body, 'sheets(properties(title,gridProperties(frozenRowCount)))'), {
      sheets: [{ properties: { title: 'A', gridProperties: { frozenRowCount: 1 } } }, { properties: { title: 'B', gridProperties: {} } }],
    });
    assert.deepEqual(applyPartialResponse(body, 'properties.title'), { properties: { title: 'T' } });
    assert.deepEqual(applyPartialResponse(body, 'sheets/properties/sheetId'), { sheets: [{ properties: { sheetId: 0 } }, { properties: { sheetId: 9 } }] });
    assert.deepEqual(applyPartialResponse(body, '*'), body);
  });
});
