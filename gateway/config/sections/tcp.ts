import { z } from 'zod';

export const tcpSection = z
  .object({
    host: z.string().min(1).default('0.0.0.0').describe('Address the TCP listener binds to'),
    port: z.number().int().min(0).max(65535).default(8090).describe('TCP port for boards (0: any free port)'),
    maxLineBytes: z.number().int().min(64).max(65536).default(512).describe('Longest accepted line, without its terminator'),
    maxConnections: z.number().int().min(1).default(10000).describe('Connections accepted at once'),
    helloTimeoutMs: z.number().int().min(1).default(10000).describe('Time a new connection has to send HELLO'),
    idleTimeoutMs: z.number().int().min(1).default(120000).describe('Time without a complete line before a connection is closed'),
    maxUnackedPerConnection: z
      .number()
      .int()
      .min(1)
      .default(1000)
      .describe('Readings awaiting commit per connection before the gateway stops reading that socket'),
    maxErrorRun: z.number().int().min(1).default(20).describe('Consecutive NAK/ERR replies before a connection is closed'),
    maxWriteBufferBytes: z
      .number()
      .int()
      .min(1024)
      .default(65536)
      .describe('Unsent reply bytes per connection before it is closed as a slow reader'),
  })
  .strict();
