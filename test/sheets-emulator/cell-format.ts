// How a cell is rendered back: valueRenderOption (FORMATTED_VALUE, UNFORMATTED_VALUE,
// FORMULA) and dateTimeRenderOption (SERIAL_NUMBER, FORMATTED_STRING), with a small
// number-format engine for the patterns sheetlog and Sheets' own auto-detection use.

import { fromSerial } from './cell-input.js';
import { invalidArgument } from './errors.js';
import type { Cell, NumberFormat, Scalar } from './model.js';

export type ValueRenderOption = 'FORMATTED_VALUE' | 'UNFORMATTED_VALUE' | 'FORMULA';
export type DateTimeRenderOption = 'SERIAL_NUMBER' | 'FORMATTED_STRING';

export interface RenderOptions {
  valueRenderOption: ValueRenderOption;
  dateTimeRenderOption: DateTimeRenderOption;
}

export function parseRenderOptions(value: string | null, dateTime: string | null): RenderOptions {
  const valueRenderOption = value ?? 'FORMATTED_VALUE';
  const dateTimeRenderOption = dateTime ?? 'SERIAL_NUMBER';
  if (!['FORMATTED_VALUE', 'UNFORMATTED_VALUE', 'FORMULA'].includes(valueRenderOption)) {
    throw invalidArgument(`Invalid value at 'value_render_option', "${valueRenderOption}"`);
  }
  if (!['SERIAL_NUMBER', 'FORMATTED_STRING'].includes(dateTimeRenderOption)) {
    throw invalidArgument(`Invalid value at 'date_time_render_option', "${dateTimeRenderOption}"`);
  }
  return {
    valueRenderOption: valueRenderOption as ValueRenderOption,
    dateTimeRenderOption: dateTimeRenderOption as DateTimeRenderOption,
  };
}

const DATE_TYPES = new Set(['DATE', 'TIME', 'DATE_TIME']);
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export function numberFormatOf(cell: Cell): NumberFormat | undefined {
  const nf = cell.format?.['numberFormat'];
  if (nf && typeof nf === 'object' && typeof (nf as NumberFormat).type === 'string') return nf as NumberFormat;
  return undefined;
}

export function isDateTyped(cell: Cell): boolean {
  const nf = numberFormatOf(cell);
  return typeof cell.value === 'number' && nf !== undefined && DATE_TYPES.has(nf.type);
}

/** Sheets' "automatic" format: integers as-is, otherwise up to 10 significant digits. */
export function formatAutomatic(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return String(n);
  const abs = Math.abs(n);
  if (abs !== 0 && (abs >= 1e15 || abs < 1e-9)) return n.toExponential(2).toUpperCase();
  return String(Number(n.toPrecision(10)));
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

type DateToken = { text: string; literal: boolean };

function tokenizeDatePattern(pattern: string): DateToken[] {
  const re = /yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|am\/pm|\.0+|"[^"]*"|./gi;
  return [...pattern.matchAll(re)].map((m) => {
    const text = m[0];
    const literal = !/^(y+|m+|d+|h+|s+|am\/pm|\.0+)$/i.test(text);
    return { text: literal ? text.replace(/^"|"$/g, '') : text, literal };
  });
}

/** `m`/`mm` mean minutes right after an hour token or right before a seconds token. */
function isMinuteToken(tokens: DateToken[], i: number): boolean {
  const prev = tokens.slice(0, i).reverse().find((t) => !t.literal);
  const next = tokens.slice(i + 1).find((t) => !t.literal);
  return /^h/i.test(prev?.text ?? '') || /^s/i.test(next?.text ?? '');
}

export function formatDatePattern(serial: number, pattern: string): string {
  const date = fromSerial(serial);
  const tokens = tokenizeDatePattern(pattern);
  const twelveHour = tokens.some((t) => /^am\/pm$/i.test(t.text));
  const hours24 = date.getUTCHours();
  const hours = twelveHour ? hours24 % 12 || 12 : hours24;
  return tokens
    .map((t, i) => {
      if (t.literal) return t.text;
      const lower = t.text.toLowerCase();
      if (lower.startsWith('m') && lower.length <= 2 && isMinuteToken(tokens, i)) {
        return lower === 'mm' ? pad(date.getUTCMinutes()) : String(date.getUTCMinutes());
      }
      switch (lower) {
        case 'yyyy': return String(date.getUTCFullYear());
        case 'yy': return pad(date.getUTCFullYear() % 100);
        case 'mmmm': return MONTHS[date.getUTCMonth()] ?? '';
        case 'mmm': return (MONTHS[date.getUTCMonth()] ?? '').slice(0, 3);
        case 'mm': return pad(date.getUTCMonth() + 1);
        case 'm': return String(date.getUTCMonth() + 1);
        case 'dddd': return DAYS[date.getUTCDay()] ?? '';
        case 'ddd': return (DAYS[date.getUTCDay()] ?? '').slice(0, 3);
        case 'dd': return pad(date.getUTCDate());
        case 'd': return String(date.getUTCDate());
        case 'hh': return pad(hours);
        case 'h': return String(hours);
        case 'ss': return pad(date.getUTCSeconds());
        case 's': return String(date.getUTCSeconds());
        case 'am/pm': return hours24 < 12 ? 'AM' : 'PM';
        default: return `.${pad(date.getUTCMilliseconds(), 3).slice(0, lower.length - 1)}`; // ".000" fractions
      }
    })
    .join('');
}

function formatNumberPattern(n: number, pattern: string): string {
  const percent = pattern.includes('%');
  const value = percent ? n * 100 : n;
  const core = /[#0,]*\.?0*/.exec(pattern.replace(/"[^"]*"/g, ''))?.[0] ?? '0';
  const decimals = core.includes('.') ? core.length - core.indexOf('.') - 1 : 0;
  const grouped = core.includes(',');
  const body = Math.abs(value).toLocaleString('en-US', {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
    useGrouping: grouped,
  });
  const prefix = /^"([^"]*)"/.exec(pattern)?.[1] ?? '';
  return `${value < 0 ? '-' : ''}${prefix}${body}${percent ? '%' : ''}`;
}

export function formatNumber(n: number, nf: NumberFormat | undefined): string {
  if (!nf) return formatAutomatic(n);
  const pattern = nf.pattern ?? '';
  if (DATE_TYPES.has(nf.type)) return formatDatePattern(n, pattern || defaultDatePattern(nf.type));
  if (nf.type === 'TEXT') return String(n);
  if (nf.type === 'SCIENTIFIC') return n.toExponential(2).toUpperCase();
  if (!pattern) return nf.type === 'PERCENT' ? formatNumberPattern(n, '0.00%') : formatAutomatic(n);
  return formatNumberPattern(n, pattern);
}

function defaultDatePattern(type: string): string {
  if (type === 'DATE') return 'm/d/yyyy';
  if (type === 'TIME') return 'h:mm:ss am/pm';
  return 'm/d/yyyy h:mm:ss';
}

export function formattedValue(cell: Cell): string {
  if (cell.formula !== undefined && cell.value === undefined) return cell.formula;
  const v = cell.value;
  if (v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'string') return v;
  return formatNumber(v, numberFormatOf(cell));
}

/** The value of one cell in a values.get answer; undefined means empty. */
export function renderCell(cell: Cell | undefined, options: RenderOptions): Scalar | undefined {
  if (!cell) return undefined;
  if (cell.formula !== undefined && options.valueRenderOption === 'FORMULA') return cell.formula;
  if (cell.value === undefined && cell.formula === undefined) return undefined;
  if (options.valueRenderOption === 'FORMATTED_VALUE') return formattedValue(cell);
  if (isDateTyped(cell) && options.dateTimeRenderOption === 'FORMATTED_STRING') return formattedValue(cell);
  return cell.value ?? cell.formula;
}
