import { z } from 'zod';

export const tcpTlsSection = z
  .object({
    enabled: z.boolean().default(false).describe('Also accept boards over TLS on tcp.tls.port (same protocol inside)'),
    host: z.string().min(1).nullable().default(null).describe('Address the TLS listener binds to (null: tcp.host)'),
    port: z.number().int().min(0).max(65535).default(8490).describe('TLS port for boards (0: any free port)'),
    certFile: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe('PEM certificate (chain) file; null: a self-signed EC P-256 certificate generated on first start in <data>/tls/'),
    keyFile: z.string().min(1).nullable().default(null).describe('PEM private key of certFile (both or neither)'),
    handshakeTimeoutMs: z.number().int().min(100).default(10000).describe('Time a new TLS connection has to finish its handshake'),
  })
  .strict()
  .refine((t) => (t.certFile === null) === (t.keyFile === null), { message: 'set both tcp.tls.certFile and tcp.tls.keyFile, or neither (a self-signed certificate is generated)' });

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
    maxLinesPerSecond: z.number().min(1).default(100).describe('Input budget per connection: lines per second (readings, PING and T alike); a connection over it is paused, not closed'),
    lineBurst: z.number().int().min(1).default(500).describe('Input budget per connection: lines taken at once before the per-second rate applies (a board resending its backlog)'),
    overBudgetCloseMs: z.number().int().min(1).default(600000).describe('A connection kept over its input budget this long without a pause is closed (ERR INPUT_RATE)'),
    maxLinesPerTurn: z.number().int().min(1).default(32).describe('Lines of one connection handled per event-loop turn before the others get their turn'),
    slowReaderTimeoutMs: z.number().int().min(1).default(30000).describe('How long a connection whose replies are not read (input paused) may stay so before it is closed'),
    tls: tcpTlsSection.prefault({}),
  })
  .strict();
