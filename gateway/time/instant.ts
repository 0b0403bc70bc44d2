/**
 * Formatting of stored instants that never throws. A row may hold any integer as its time (one
 * stored by an older version before the trust window, or written into SQLite by hand); JavaScript
 * dates cover only ±8.64e15 ms, and `toISOString` throws beyond that.
 */

/** The largest |epoch ms| a JavaScript Date can hold. */
export const MAX_DATE_MS = 8.64e15;

/** Whether `ms` is an instant a Date (and so ISO 8601 text) can represent. */
export function isRepresentableInstant(ms: number): boolean {
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS;
}

/** ISO 8601 text of the instant, or null when no date can represent it. */
export function isoOrNull(ms: number): string | null {
  return isRepresentableInstant(ms) ? new Date(ms).toISOString() : null;
}

/** ISO 8601 text of the instant, or the stored number itself as text when no date can represent it. */
export function isoOrValue(ms: number): string {
  return isoOrNull(ms) ?? String(ms);
}

/** A reading's fields text as an object; a text that is not a JSON object (a damaged row) gives {}. */
export function fieldsOf<T>(text: string): Record<string, T> {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, T>;
  } catch {
    // fall through: a damaged row is shown without fields rather than failing the whole answer
  }
  return {};
}
