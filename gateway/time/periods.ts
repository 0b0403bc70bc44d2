import { offsetText, ZoneClock } from './time-zone.js';

const MINUTE_MS = 60_000;
const DAY_MINUTES = 1440;

/** A period as configured ("15m", "1h", "1d"): its name and length in elapsed time (summaries, docs/SUMMARIES.md). */
export interface Period {
  name: string;
  /** Elapsed milliseconds of one period; 0 for "1d" (a local calendar day, 23 to 25 hours). */
  lengthMs: number;
}

/** One period's span, as epoch ms, end exclusive. */
export interface Span {
  start: number;
  end: number;
}

/**
 * Parses a period name. Sub-day periods must divide a day evenly, so every period lies inside one
 * local day and the periods of a day start at local midnight. Null when the name is not valid.
 */
export function parsePeriod(name: string): Period | null {
  const m = /^([1-9]\d{0,3})(m|h|d)$/.exec(name);
  if (!m) return null;
  const n = Number(m[1]);
  const minutes = m[2] === 'm' ? n : m[2] === 'h' ? n * 60 : null;
  if (minutes === null) return n === 1 ? { name, lengthMs: 0 } : null;
  if (minutes >= DAY_MINUTES || DAY_MINUTES % minutes !== 0) return null;
  return { name, lengthMs: minutes * MINUTE_MS };
}

/**
 * Cuts time into periods in one time zone (pure apart from ZoneClock's offset cache).
 *
 * A day is the span between two local midnights, so at DST changes it lasts 23 or 25 hours.
 * Sub-day periods count elapsed time from the day's local midnight: the 25-hour day has 25
 * hourly periods (the repeated wall-clock hour is two periods with different UTC offsets), the
 * 23-hour day has 23; a day whose length is not a multiple of the period ends with a short one.
 */
export class PeriodClock {
  private readonly zone: ZoneClock;

  constructor(readonly timeZone: string) {
    this.zone = new ZoneClock(timeZone);
  }

  /** The period of `period` that holds instant `t`. */
  spanOf(period: Period, t: number): Span {
    const day = this.daySpan(t);
    if (period.lengthMs === 0) return day;
    const k = Math.floor((t - day.start) / period.lengthMs);
    const start = day.start + k * period.lengthMs;
    return { start, end: Math.min(day.end, start + period.lengthMs) };
  }

  /** The local day holding `t`: [midnight, next midnight). */
  daySpan(t: number): Span {
    const start = this.midnightOf(t);
    const end = this.midnightOf(start + 30 * 3_600_000);
    return { start, end };
  }

  /** "YYYY-MM-DD HH:MM" local text of an instant, with the UTC offset ("+01:00"), for labels. */
  label(t: number): string {
    const offset = this.zone.offset(t);
    return `${new Date(t + offset).toISOString().slice(0, 16).replace('T', ' ')}${offsetText(offset)}`;
  }

  /** Local wall-clock ms (as if UTC) of an instant. */
  local(t: number): number {
    return this.zone.local(t);
  }

  /**
   * The first instant of the local day holding `t`. The local midnight's UTC instant depends on
   * the offset at midnight, which may differ from the offset at `t`: settle it by iteration. Where
   * a DST change skips midnight itself, the day starts at the first instant after the gap.
   */
  private midnightOf(t: number): number {
    const localDay = Math.floor(this.zone.local(t) / 86_400_000) * 86_400_000;
    let guess = localDay - this.zone.offset(t);
    for (let i = 0; i < 3; i++) {
      const next = localDay - this.zone.offset(guess);
      if (next === guess) break;
      guess = next;
    }
    // A skipped midnight: the guess lands in the previous day; the day starts where the gap ends.
    while (this.zone.local(guess) < localDay) guess += 15 * MINUTE_MS;
    return guess;
  }
}
