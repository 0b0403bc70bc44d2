import { isRepresentableInstant } from './instant.js';

/** Days between the spreadsheet epoch (1899-12-30) and the Unix epoch. */
const SERIAL_EPOCH_DAYS = 25569;
const DAY_MS = 86_400_000;
/** Every real UTC-offset change happens on a quarter hour, so offsets are cached per quarter. */
const BUCKET_MS = 900_000;
const MAX_CACHE = 4096;
/** Formatted seconds kept by `text` (a power of two). */
const SECOND_SLOTS = 64;

/** Whether `tz` is an IANA time zone this Node.js knows. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The machine's own time zone (falls back to UTC). */
export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** A UTC offset as "+01:00" / "-03:30" (pure): tells apart the two periods of a repeated wall-clock hour. */
export function offsetText(offsetMs: number): string {
  const sign = offsetMs < 0 ? '-' : '+';
  const minutes = Math.abs(offsetMs) / 60_000;
  return `${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/**
 * Converts instants to wall-clock time in one IANA time zone: spreadsheet serial numbers (what
 * Sheets stores for date-times; zone-less, so the zone is applied here) and local text for CSV.
 */
export class ZoneClock {
  private readonly format: Intl.DateTimeFormat;
  private readonly offsets = new Map<number, number>();
  private readonly seconds = new Float64Array(SECOND_SLOTS).fill(Number.NaN);
  private readonly secondTexts: string[] = new Array<string>(SECOND_SLOTS).fill('');

  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** Local wall-clock milliseconds (as if UTC) for an instant. */
  local(epochMs: number): number {
    return epochMs + this.offset(epochMs);
  }

  /** Spreadsheet serial date-time: days since 1899-12-30 00:00 local time. */
  serial(epochMs: number): number {
    return this.local(epochMs) / DAY_MS + SERIAL_EPOCH_DAYS;
  }

  /** "YYYY-MM-DD HH:MM:SS.mmm" in the zone: what spreadsheet programs read as a date-time. */
  text(epochMs: number): string {
    // A time no date can hold (a row stored before the trust window existed) shows as stored.
    if (!isRepresentableInstant(this.local(epochMs))) return String(epochMs);
    // Date truncates toward zero; the seconds' text is cached (rows of a batch share seconds).
    const local = Math.trunc(this.local(epochMs)) + 0;
    const second = Math.floor(local / 1000);
    const ms = local - second * 1000;
    return `${this.secondText(second)}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}`;
  }

  /** "YYYY-MM-DD HH:MM:SS" of a local second, from a small direct-mapped cache. */
  private secondText(second: number): string {
    const slot = second & (SECOND_SLOTS - 1);
    if (this.seconds[slot] === second) return this.secondTexts[slot] as string;
    const iso = new Date(second * 1000).toISOString();
    const text = iso.slice(0, -5).replace('T', ' ');
    this.seconds[slot] = second;
    this.secondTexts[slot] = text;
    return text;
  }

  /** UTC offset in ms at that instant. */
  offset(epochMs: number): number {
    if (!isRepresentableInstant(epochMs)) return 0;
    const bucket = Math.floor(epochMs / BUCKET_MS);
    const cached = this.offsets.get(bucket);
    if (cached !== undefined) return cached;
    const base = bucket * BUCKET_MS;
    const p: Record<string, number> = {};
    for (const part of this.format.formatToParts(new Date(base))) if (part.type !== 'literal') p[part.type] = Number(part.value);
    const asUtc = Date.UTC(p.year ?? 1970, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0);
    const offset = asUtc - base;
    if (this.offsets.size >= MAX_CACHE) this.offsets.clear();
    this.offsets.set(bucket, offset);
    return offset;
  }
}
