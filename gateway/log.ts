import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs on stdout. Anything that could carry a secret is redacted by path, and the
 * code never logs raw HELLO lines or credentials in the first place.
 */
export function createLogger(level: string, destination: pino.DestinationStream = pino.destination({ dest: 1, sync: true })): Logger {
  return pino(
    {
      level,
      base: { service: 'sheetlog' },
      redact: {
        paths: ['token', '*.token', 'password', '*.password', 'credentials', '*.credentials', 'privateKey', '*.private_key', 'refreshToken', '*.refresh_token', 'authorization', '*.authorization'],
        censor: '[redacted]',
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
