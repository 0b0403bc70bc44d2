import { z } from 'zod';

const PREFIX = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
const GROUP = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * The embedded broker's TLS listener (`mqtt.embeddedTls`): the same certificate handling as
 * tcp.tls (gateway/ingest/tcp/tls-credentials.ts), and with no files configured the same
 * self-signed certificate in <data>/tls/, so boards pin one fingerprint for both.
 */
export const mqttEmbeddedTlsSection = z
  .object({
    enabled: z.boolean().default(false).describe('Also accept MQTT over TLS on the embedded broker (mqtt.embedded), on mqtt.embeddedTls.port'),
    host: z.string().min(1).nullable().default(null).describe('Address the broker\'s TLS listener binds to (null: mqtt.embeddedHost)'),
    port: z.number().int().min(0).max(65535).default(8883).describe('MQTT over TLS port of the embedded broker (0: any free port)'),
    certFile: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe('PEM certificate (chain) file; null: the self-signed EC P-256 certificate in <data>/tls/ that tcp.tls also uses (generated on first start)'),
    keyFile: z.string().min(1).nullable().default(null).describe('PEM private key of certFile (both or neither)'),
    handshakeTimeoutMs: z.number().int().min(100).default(10000).describe('Time a new TLS connection has to finish its handshake'),
  })
  .strict()
  .refine((t) => (t.certFile === null) === (t.keyFile === null), { message: 'set both mqtt.embeddedTls.certFile and keyFile, or neither (the self-signed certificate in <data>/tls/ is used)' });

/**
 * MQTT ingest (docs/PROTOCOL.md, MQTT; docs/OPERATIONS.md). Off unless `url` is set or `embedded`
 * is true. Passwords come from here or SHEETLOG_MQTT__PASSWORD and are redacted in logs.
 */
export const mqttSection = z
  .object({
    url: z
      .string()
      .regex(/^mqtts?:\/\/[^/\s]+\/?$/, 'must look like mqtt://host:1883 or mqtts://host:8883')
      .optional()
      .describe('Broker the gateway subscribes to (mqtt:// or mqtts://); unset: MQTT is off unless embedded'),
    username: z.string().min(1).optional().describe('Username for the broker'),
    password: z.string().min(1).optional().describe('Password for the broker (redacted in logs)'),
    caFile: z.string().min(1).optional().describe('PEM file of the CA that signed an mqtts:// broker certificate (default: the system CAs)'),
    rejectUnauthorized: z.boolean().default(true).describe('Refuse an mqtts:// broker whose certificate does not verify'),
    clientId: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/)
      .optional()
      .describe('Client id of the gateway; unset: one is generated once and kept in <dataDir>/mqtt-client-id'),
    protocolVersion: z.union([z.literal(4), z.literal(5)]).default(5).describe('MQTT 3.1.1 (4) or 5 towards an external broker (the embedded broker speaks 3.1.1)'),
    sessionExpirySec: z
      .number()
      .int()
      .min(60)
      .max(0xffffffff)
      .default(7 * 24 * 3600)
      .describe('MQTT 5: how long the broker keeps the gateway session (and queues readings) while it is away'),
    keepaliveSec: z.number().int().min(5).max(65535).default(30).describe('MQTT keepalive of the gateway connection'),
    receiveMaximum: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .default(1000)
      .describe('MQTT 5: readings the broker may have in flight to the gateway before its PUBACKs (PUBACK is sent after the commit)'),
    reconnectMinMs: z.number().int().min(10).default(500).describe('First reconnect delay; it doubles per failed attempt, with jitter'),
    reconnectMaxMs: z.number().int().min(100).default(30000).describe('Longest reconnect delay'),
    topicPrefix: z.string().regex(PREFIX, 'topic levels of [A-Za-z0-9_.-]').default('sheetlog').describe('First topic level(s): <prefix>/<device-id>/r ...'),
    shareGroup: z
      .string()
      .regex(GROUP)
      .optional()
      .describe('Subscribe through $share/<group>/... so several gateways split one broker\'s readings (docs/OPERATIONS.md)'),
    maxPayloadBytes: z.number().int().min(64).max(65536).default(1024).describe('Longest reading payload (text or JSON); longer ones are NAKed LINE_TOO_LONG'),
    maxMessagesPerSecond: z
      .number()
      .int()
      .min(1)
      .default(100)
      .describe('Input budget of one board: messages per second (readings, hellos, t, status; a message costs one per started 512 bytes). The embedded broker stops reading a client over it; with an external broker the board is told BUSY and the messages over it are not stored'),
    messageBurst: z.number().int().min(1).default(500).describe('Messages a board may send at once before mqtt.maxMessagesPerSecond applies'),
    overBudgetCloseMs: z
      .number()
      .int()
      .min(1000)
      .default(600000)
      .describe('A client of the embedded broker kept over its input budget this long is disconnected (INPUT_RATE)'),
    embedded: z.boolean().default(false).describe('Start an aedes MQTT broker inside the gateway that authenticates boards against the device registry'),
    embeddedHost: z.string().min(1).default('0.0.0.0').describe('Address the embedded broker binds to'),
    embeddedPort: z.number().int().min(0).max(65535).default(1883).describe('Port of the embedded broker (0: any free port)'),
    embeddedTls: mqttEmbeddedTlsSection.prefault({}),
  })
  .strict()
  .refine((m) => !(m.embedded && m.url !== undefined), {
    message: 'mqtt.embedded starts a broker that the gateway connects to itself; unset mqtt.url (or embedded)',
    path: ['embedded'],
  })
  .refine((m) => !(m.embedded && m.shareGroup !== undefined), {
    message: 'the embedded broker (aedes) has no shared subscriptions; unset mqtt.shareGroup',
    path: ['shareGroup'],
  })
  .refine((m) => !m.embeddedTls.enabled || m.embedded, {
    message: 'mqtt.embeddedTls is a listener of the embedded broker: set mqtt.embedded too',
    path: ['embeddedTls'],
  })
  .refine((m) => m.reconnectMinMs <= m.reconnectMaxMs, { message: 'reconnectMinMs must not exceed reconnectMaxMs', path: ['reconnectMinMs'] });

export type MqttConfig = z.infer<typeof mqttSection>;
