// How a value sent in a ValueRange becomes a cell, per valueInputOption.
//
// RAW stores JSON strings as strings, numbers as numbers, booleans as booleans.
// USER_ENTERED parses strings as if typed into the Sheets UI (en_US locale): numbers,
// TRUE/FALSE, percentages, "$" amounts, dates and date-times (stored as serial numbers with
// a date number format, which is what makes them "date-typed"), formulas, and a leading
// apostrophe that forces text.

import { invalidArgument } from './errors.js';
import type { NumberFormat, Scalar } from './model.js';

export type ValueInputOption = 'RAW' | 'USER_ENTERED';

export type CellInput =
  | { kind: 'skip' } // null: leave the cell as it is (Google: "Null values will be skipped")
  | { kind: 'clear' } // "": empty the cell's value, keep its format
  | { kind: 'value'; value: Scalar; numberFormat?: NumberFormat }
  | { kind: 'formula'; formula: string };

/** Days between Sheets' epoch (1899-12-30) and the Unix epoch. */
const UNIX_EPOCH_SERIAL = 25569;
const MS_PER_DAY = 86_400_000;

export function parseValueInputOption(raw: string | null): ValueInputOption {
  if (raw === 'RAW' || raw === 'USER_ENTERED') return raw;
  if (raw === null || raw === '' || raw === 'INPUT_VALUE_OPTION_UNSPECIFIED') {
    throw invalidArgument('Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED');
  }
  throw invalidArgument(`Invalid value at 'value_input_option' (type.googleapis.com/google.apps.sheets.v4.ValueInputOption), "${raw}"`);
}

/** Serial number of a wall-clock date-time, as Sheets stores it (no time zone involved). */
export function toSerial(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  return Date.UTC(y, mo - 1, d, h, mi, s, ms) / MS_PER_DAY + UNIX_EPOCH_SERIAL;
}

/** Wall-clock parts of a serial number. */
export function fromSerial(serial: number): Date {
  return new Date(Math.round((serial - UNIX_EPOCH_SERIAL) * MS_PER_DAY));
}

function validDate(y: number, mo: number, d: number): boolean {
  if (mo < 1 || mo > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

function validTime(h: number, mi: number, s: number): boolean {
  return h < 24 && mi < 60 && s < 60;
}

const ISO_DATE_TIME = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?)?$/;
const US_DATE_TIME = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const TIME_ONLY = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;

interface DateParts {
  y: number;
  mo: number;
  d: number;
  time?: { h: number; mi: number; s?: number; ms: number };
}

function dateInput(parts: DateParts, datePattern: string): CellInput | undefined {
  const { y, mo, d, time } = parts;
  if (!validDate(y, mo, d)) return undefined;
  if (!time) return { kind: 'value', value: toSerial(y, mo, d), numberFormat: { type: 'DATE', pattern: datePattern } };
  if (!validTime(time.h, time.mi, time.s ?? 0)) return undefined;
  const timePattern = time.s === undefined ? 'hh:mm' : 'hh:mm:ss';
  return {
    kind: 'value',
    value: toSerial(y, mo, d, time.h, time.mi, time.s ?? 0, time.ms),
    numberFormat: { type: 'DATE_TIME', pattern: `${datePattern} ${timePattern}` },
  };
}

function timeOf(h?: string, mi?: string, s?: string, frac?: string): DateParts['time'] {
  if (h === undefined || mi === undefined) return undefined;
  const ms = frac ? Math.round(Number(frac) * 1000) : 0;
  return { h: Number(h), mi: Number(mi), s: s === undefined ? undefined : Number(s), ms };
}

function parseDateTime(text: string): CellInput | undefined {
  let m = ISO_DATE_TIME.exec(text);
  if (m) {
    const time = timeOf(m[4], m[5], m[6], m[7]);
    return dateInput({ y: Number(m[1]), mo: Number(m[2]), d: Number(m[3]), time }, 'yyyy-mm-dd');
  }
  m = US_DATE_TIME.exec(text);
  if (m) {
    const time = timeOf(m[4], m[5], m[6]);
    return dateInput({ y: Number(m[3]), mo: Number(m[1]), d: Number(m[2]), time }, 'm/d/yyyy');
  }
  m = TIME_ONLY.exec(text);
  if (m) {
    const [h, mi, s] = [Number(m[1]), Number(m[2]), m[3] === undefined ? 0 : Number(m[3])];
    if (!validTime(h, mi, s)) return undefined;
    const pattern = m[3] === undefined ? 'hh:mm' : 'hh:mm:ss';
    return { kind: 'value', value: (h * 3600 + mi * 60 + s) / 86400, numberFormat: { type: 'TIME', pattern } };
  }
  return undefined;
}

const NUMBER = /^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

function parseNumberText(text: string): number | undefined {
  if (!/\d/.test(text) || !NUMBER.test(text)) return undefined;
  const n = Number(text.replaceAll(',', ''));
  return Number.isFinite(n) ? n : undefined;
}

function parseNumeric(text: string): CellInput | undefined {
  const plain = parseNumberText(text);
  if (plain !== undefined) return { kind: 'value', value: plain };
  if (text.endsWith('%')) {
    const body = text.slice(0, -1);
    const n = parseNumberText(body);
    if (n === undefined) return undefined;
    const pattern = body.includes('.') ? '0.00%' : '0%';
    return { kind: 'value', value: n / 100, numberFormat: { type: 'PERCENT', pattern } };
  }
  const currency = /^([+-]?)\$(.+)$/.exec(text);
  if (currency) {
    const n = parseNumberText(currency[2] ?? '');
    if (n === undefined) return undefined;
    const value = currency[1] === '-' ? -n : n;
    return { kind: 'value', value, numberFormat: { type: 'CURRENCY', pattern: '"$"#,##0.00' } };
  }
  return undefined;
}

function parseUserEnteredString(text: string): CellInput {
  if (text === '') return { kind: 'clear' };
  if (text.startsWith("'")) return { kind: 'value', value: text.slice(1) };
  if (text.startsWith('=') && text.length > 1) return { kind: 'formula', formula: text };
  const upper = text.toUpperCase();
  if (upper === 'TRUE' || upper === 'FALSE') return { kind: 'value', value: upper === 'TRUE' };
  return parseNumeric(text.trim()) ?? parseDateTime(text.trim()) ?? { kind: 'value', value: text };
}

/** Interprets one element of `values[][]`; `where` names it in errors ("values[0][3]"). */
export function parseCellInput(raw: unknown, option: ValueInputOption, where: string): CellInput {
  if (raw === null || raw === undefined) return { kind: 'skip' };
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) throw invalidArgument(`Invalid ${where}: number_value is not finite`);
    return { kind: 'value', value: raw };
  }
  if (typeof raw === 'boolean') return { kind: 'value', value: raw };
  if (typeof raw !== 'string') {
    const type = Array.isArray(raw) ? 'list_value' : 'struct_value';
    throw invalidArgument(`Invalid ${where}: ${type}`);
  }
  if (option === 'RAW') return raw === '' ? { kind: 'clear' } : { kind: 'value', value: raw };
  return parseUserEnteredString(raw);
}
