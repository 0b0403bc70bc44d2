import { z } from 'zod';

/** A pattern of `*` (any run of characters) and `?` (one character) over field names or device ids. */
const glob = z.string().min(1).max(128).regex(/^[A-Za-z0-9_.*?-]+$/, 'a field or device pattern: letters, digits, _ . - and the wildcards * ?');

export const fieldRuleSchema = z
  .object({
    match: glob.describe('field names the rule applies to (glob: * and ?)'),
    devices: glob.optional().describe('device ids the rule applies to (glob); unset: every device'),
    unit: z.string().min(1).max(16).optional().describe('unit shown beside the value (e.g. "°C", "Wh")'),
    scale: z.number().finite().default(1).describe('calibration: shown value = value × scale + offset'),
    offset: z.number().finite().default(0).describe('calibration offset, in the shown unit'),
    min: z.number().finite().optional().describe('lowest valid shown value; below is NAKed OUT_OF_RANGE'),
    max: z.number().finite().optional().describe('highest valid shown value; above is NAKed OUT_OF_RANGE'),
    decimals: z.number().int().min(0).max(12).optional().describe('round the shown value to this many decimals'),
    kind: z.enum(['gauge', 'counter']).default('gauge').describe('gauge: a level; counter: a total that never goes backwards within a boot'),
    wrap: z.number().int().positive().optional().describe('counter only: the value at which the board\'s counter wraps to 0 (e.g. 4294967296)'),
  })
  .strict()
  .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, { message: 'min must not exceed max', path: ['min'] })
  .refine((r) => r.wrap === undefined || r.kind === 'counter', { message: 'wrap applies to kind "counter" only', path: ['wrap'] })
  .refine((r) => r.scale !== 0, { message: 'scale 0 would show every value as the offset', path: ['scale'] });

export type FieldRuleConfig = z.infer<typeof fieldRuleSchema>;

export const fieldsSection = z
  .array(fieldRuleSchema)
  .max(1000)
  .default([])
  .describe(
    'Field rules, first match wins: [{ match, devices?, unit?, scale, offset, min?, max?, decimals?, kind: "gauge" or "counter", wrap? }] (docs/FIELDS.md)',
  );
