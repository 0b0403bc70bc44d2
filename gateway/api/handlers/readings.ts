import { z } from 'zod';
import type { FieldRules } from '../../fields/rules.js';
import { shownFields } from '../../fields/shown.js';
import type { StoredReading } from '../../store/readings.js';
import { fieldsOf, isoOrNull } from '../../time/instant.js';
import { defineOperation } from '../operation.js';

/** A stored reading as the API returns it. */
export interface ReadingView {
  id: number;
  device: string;
  boot: number;
  seq: number;
  /** The reading's time, ISO 8601 (the `ts` below); null when `ts` is no representable date. */
  time: string | null;
  ts: number;
  tsSource: string;
  /** The board's clock value when it was not trusted, else null. */
  deviceTs: number | null;
  received: number;
  /** The fields as shown: numbers calibrated by their field rule (docs/FIELDS.md). */
  fields: Record<string, number | boolean | string>;
  /** Only when a field rule applies to a field of the reading: the fields as the board sent them (as stored). */
  raw?: Record<string, number | boolean | string>;
  /** Only when a field rule applies: field → unit, for the fields whose rule names one. */
  units?: Record<string, string>;
}

export function readingView(r: StoredReading, rules: FieldRules | null = null): ReadingView {
  const raw = fieldsOf<number | boolean | string>(r.fields);
  const shown = shownFields(rules, r.device, raw);
  const view: ReadingView = {
    id: r.id,
    device: r.device,
    boot: r.boot,
    seq: r.seq,
    time: isoOrNull(r.ts),
    ts: r.ts,
    tsSource: r.tsSource,
    deviceTs: r.deviceTs,
    received: r.received,
    fields: shown.fields,
  };
  if (shown.ruled) {
    view.raw = raw;
    view.units = shown.units;
  }
  return view;
}

/** Epoch milliseconds or an ISO 8601 date. */
const instant = z.string().transform((s, ctx) => {
  const ms = /^\d{1,15}$/.test(s) ? Number(s) : /^\d{4}-\d\d-\d\d/.test(s) ? Date.parse(s) : NaN;
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: 'expected epoch milliseconds or an ISO 8601 date' });
    return z.NEVER;
  }
  return ms;
});

const params = z
  .object({
    device: z.string().min(1).max(64).optional().describe('Only this device'),
    sensor: z.string().min(1).max(64).optional().describe('Only readings carrying this field'),
    from: instant.optional().describe('Reading time from (inclusive): epoch ms or ISO 8601'),
    to: instant.optional().describe('Reading time to (exclusive): epoch ms or ISO 8601'),
    limit: z.coerce.number().int().min(1).max(1000).default(100).describe('Readings per page, 1..1000'),
    cursor: z
      .string()
      .regex(/^[1-9]\d{0,15}$/, 'not a cursor returned by this operation')
      .optional()
      .describe('nextCursor of the previous page (opaque)'),
  })
  .strict()
  .refine((p) => p.from === undefined || p.to === undefined || p.from < p.to, { message: 'from must be before to', path: ['from'] });

export const listReadings = defineOperation({
  name: 'readings.list',
  method: 'GET',
  path: '/api/v1/readings',
  summary: 'Recent readings, newest first, filtered by device, sensor and time range; page with cursor (a filtered page may hold fewer than limit while nextCursor goes on)',
  access: 'read',
  params: params as unknown as z.ZodObject,
  body: null,
  errors: [],
  handle: ({ params: p }, deps) => {
    const q = p as z.output<typeof params>;
    const { rows, resumeBefore } = deps.recent.page({
      limit: q.limit + 1,
      ...(q.device !== undefined ? { device: q.device } : {}),
      ...(q.sensor !== undefined ? { sensor: q.sensor } : {}),
      ...(q.from !== undefined ? { from: q.from } : {}),
      ...(q.to !== undefined ? { to: q.to } : {}),
      ...(q.cursor !== undefined ? { beforeId: Number(q.cursor) } : {}),
    });
    const more = rows.length > q.limit;
    const page = more ? rows.slice(0, q.limit) : rows;
    // A filtered query steps through a budget of ids per request (store/recent-readings.ts): when it
    // ran out first, the page holds fewer readings (even none) and the cursor goes on from there.
    const nextCursor = more ? String((page[page.length - 1] as StoredReading).id) : resumeBefore !== null ? String(resumeBefore) : null;
    return { readings: page.map((r) => readingView(r, deps.fields ?? null)), nextCursor };
  },
});
