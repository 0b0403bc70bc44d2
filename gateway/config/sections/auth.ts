import { z } from 'zod';

export const authSection = z
  .object({
    mode: z.enum(['tofu', 'required', 'off']).default('tofu').describe('tofu: first token wins; required: only provisioned devices; off: tokens ignored'),
    revocationCheckMs: z.number().int().min(100).default(5000).describe('How often the gateway looks for devices revoked by the CLI and closes their connections'),
  })
  .strict();
