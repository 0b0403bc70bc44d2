import { z } from 'zod';

export const authSection = z
  .object({
    mode: z.enum(['tofu', 'required', 'off']).default('tofu').describe('tofu: first token wins; required: only provisioned devices; off: tokens ignored'),
    revocationCheckMs: z.number().int().min(100).default(5000).describe('How often the gateway looks for devices revoked by the CLI and closes their connections'),
    throttle: z
      .object({
        enabled: z.boolean().default(true).describe('Slow down and then refuse (AUTH_THROTTLED) repeated failed authentications per source address and per device id'),
        freeFailures: z.number().int().min(0).default(3).describe('Failures of one address or device id answered at once'),
        baseDelayMs: z.number().int().min(0).default(250).describe('Delay before answering the first failure past the free ones; doubles with each further failure'),
        maxDelayMs: z.number().int().min(0).default(8000).describe('Longest delay before a failure is answered'),
        maxFailures: z.number().int().min(1).default(10).describe('Failures of one address or device id after which it is refused with AUTH_THROTTLED'),
        lockoutMs: z.number().int().min(1).default(300000).describe('How long an address or device id is refused after maxFailures'),
        forgetAfterMs: z.number().int().min(1).default(900000).describe('Failures of an address or device id are forgotten after this long without one'),
        maxKeys: z.number().int().min(100).default(100000).describe('Addresses and device ids remembered at most (the oldest are forgotten first)'),
      })
      .strict()
      .prefault({}),
  })
  .strict();
