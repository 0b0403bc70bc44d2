import { z } from 'zod';

/** Optional UDP ingest (docs/PROTOCOL.md, UDP). Off by default. */
export const udpSection = z
  .object({
    enabled: z.boolean().default(false).describe('Accept readings in UDP datagrams'),
    host: z.string().min(1).default('0.0.0.0').describe('Address the UDP socket binds to'),
    port: z.number().int().min(0).max(65535).default(8091).describe('UDP port for boards (0: any free port)'),
    maxDatagramBytes: z.number().int().min(64).max(65507).default(1472).describe('Largest datagram accepted (1472 fits one Ethernet frame); larger ones get ERR LINE_TOO_LONG'),
    ratePerSource: z.number().min(0.1).default(50).describe('Readings per second one source address may send (token bucket)'),
    burstPerSource: z.number().int().min(1).default(200).describe('Readings one source address may send at once before its rate applies'),
    maxSources: z.number().int().min(1).default(10000).describe('Source addresses tracked for rate limits and boots (least recently seen are forgotten)'),
  })
  .strict();

export type UdpConfig = z.infer<typeof udpSection>;
