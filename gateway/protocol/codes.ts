/**
 * Stable reply codes of protocol v1 (docs/PROTOCOL.md section 7). Programs match on these strings;
 * the human text that follows a code may change.
 */
export const NAK_CODES = [
  'BAD_TS',
  'NO_FIELDS',
  'BAD_FIELD',
  'BAD_VALUE',
  'DUP_FIELD',
  'TOO_MANY_FIELDS',
  'LINE_TOO_LONG',
  'BAD_UTF8',
] as const;
export type NakCode = (typeof NAK_CODES)[number];

export const ERR_CODES = [
  'BAD_HELLO',
  'AUTH_FAILED',
  'UNKNOWN_DEVICE',
  'REVOKED',
  'ALREADY_HELLO',
  'NOT_AUTHENTICATED',
  'BAD_SEQ',
  'BAD_TIME_REQUEST',
  'UNKNOWN_VERB',
  'LINE_TOO_LONG',
  'BAD_UTF8',
  'TOO_MANY_ERRORS',
  'HELLO_TIMEOUT',
  'IDLE_TIMEOUT',
  'TOO_MANY_CONNECTIONS',
  'TAKEN_OVER',
  'INTERNAL',
] as const;
export type ErrCode = (typeof ERR_CODES)[number];

/** ERR codes after which the gateway closes the connection. */
export const CLOSING_ERR_CODES: ReadonlySet<ErrCode> = new Set<ErrCode>([
  'AUTH_FAILED',
  'UNKNOWN_DEVICE',
  'REVOKED',
  'TOO_MANY_ERRORS',
  'HELLO_TIMEOUT',
  'IDLE_TIMEOUT',
  'TOO_MANY_CONNECTIONS',
  'TAKEN_OVER',
  'INTERNAL',
]);
