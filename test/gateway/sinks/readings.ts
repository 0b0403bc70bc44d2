import type { StoredReading } from '../../../gateway/store/readings.js';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);

/** Stored readings as the store would return them: ids 1.., a few devices, 1-3 fields each. */
export function readings(count: number, from = 1, opts: { devices?: number; fields?: (i: number) => Record<string, unknown> } = {}): StoredReading[] {
  const devices = opts.devices ?? 2;
  const fields = opts.fields ?? ((i: number) => (i % 3 === 0 ? { temp_c: 20 + i / 10, rh: 40 + (i % 7), door: i % 2 === 0 } : { temp_c: 20 + i / 10 }));
  return Array.from({ length: count }, (_, k) => {
    const id = from + k;
    return {
      id,
      device: `dev-${id % devices}`,
      boot: 7,
      seq: id,
      ts: T0 + id * 1000,
      tsSource: 'device' as const,
      deviceTs: null,
      received: T0 + id * 1000 + 20,
      fields: JSON.stringify(fields(id)),
    };
  });
}

/** The long layout's rows for readings, as "device/boot/seq/sensor" keys, in order. */
export function longKeys(rs: readonly StoredReading[]): string[] {
  return rs.flatMap((r) => Object.keys(JSON.parse(r.fields) as object).map((s) => `${r.device}/${r.boot}/${r.seq}/${s}`));
}
