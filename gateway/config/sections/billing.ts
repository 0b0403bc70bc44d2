import { z } from 'zod';
import { isTimeZone } from '../../time/time-zone.js';

const tier = z
  .object({
    upTo: z.number().positive().nullable().default(null).describe('upper edge of the band, in the unit (inclusive); null: no limit (the last tier)'),
    price: z.number().min(0).describe('price per unit within the band'),
  })
  .strict();

export const billingSection = z
  .object({
    field: z.string().max(128).default('').describe('The counter field billed (a `fields` rule with kind "counter"); "": no bills (docs/SUMMARIES.md, "Bills")'),
    unit: z.string().min(1).max(16).default('kWh').describe('Unit of the billed quantity: the field\'s shown (calibrated) value'),
    tiers: z.array(tier).max(20).default([]).describe('Consumption bands, lowest first: [{ upTo, price }], the last with upTo null'),
    fixedCharge: z.number().min(0).default(0).describe('Fixed charge per billing month'),
    currency: z.string().min(1).max(8).default('EUR').describe('Currency shown with every amount'),
    monthStartDay: z.number().int().min(1).max(28).default(1).describe('Day of the month a billing month starts (local midnight)'),
    timeZone: z.string().refine((tz) => tz === '' || isTimeZone(tz), 'not an IANA time zone').default('').describe('Time zone of the billing months ("": the machine\'s)'),
  })
  .strict()
  .refine((b) => b.field === '' || b.tiers.length > 0, { message: 'billing.field needs at least one tier', path: ['tiers'] })
  .refine((b) => b.tiers.length === 0 || b.tiers[b.tiers.length - 1]?.upTo === null, { message: 'the last tier must have upTo null (no limit)', path: ['tiers'] })
  .refine((b) => b.tiers.every((t, i) => i === b.tiers.length - 1 || (t.upTo !== null && (i === 0 || t.upTo > (b.tiers[i - 1]?.upTo ?? 0)))), {
    message: 'tiers must have rising upTo values, only the last one null',
    path: ['tiers'],
  });

export type BillingConfig = z.infer<typeof billingSection>;
