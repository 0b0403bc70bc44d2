import { z } from 'zod';

export const httpSection = z
  .object({
    host: z.string().min(1).default('127.0.0.1').describe('Address the HTTP API and dashboard bind to; any non-loopback address makes the admin token required for every endpoint'),
    port: z
      .union([z.number().int().min(0).max(65535), z.literal('off')])
      .default(8080)
      .describe('HTTP port of the JSON API, /metrics and the dashboard (0: any free port; "off": no HTTP server)'),
    adminTokenFile: z.string().min(1).default('admin-token').describe('File holding the admin token (mode 0600), relative to the data directory; generated on first start'),
    feedIntervalMs: z.number().int().min(50).max(10000).default(500).describe('How often the dashboard feed sends a coalesced update to each browser'),
    maxFeedClients: z.number().int().min(1).default(50).describe('Dashboard WebSocket connections accepted at once'),
    maxClientBufferBytes: z
      .number()
      .int()
      .min(16384)
      .default(1_048_576)
      .describe('Unsent bytes a dashboard client may hold before it is dropped as too slow (updates are skipped above a quarter of this)'),
    silentAfterMs: z.number().int().min(1000).default(120000).describe('A device not heard from for this long counts as silent on the dashboard'),
    allowedHosts: z
      .array(z.string().min(1))
      .default([])
      .describe('Host names the API and dashboard answer to besides loopback names, IP addresses, this machine\'s name and `host` (DNS rebinding protection); "*" allows any'),
    allowedOrigins: z
      .array(z.string().min(1))
      .default([])
      .describe('Web origins (e.g. "https://dash.example") whose pages may call the API and open the live feed, besides the dashboard\'s own; "*" allows any'),
    tailRows: z.number().int().min(1).max(500).default(50).describe('Sheet rows kept in the dashboard\'s live tail'),
  })
  .strict();
