import { ERR, NAK, type ErrCode, type NakCode } from '../errors/registry.js';

/**
 * Stable reply codes of protocol v1, derived from the error registry (gateway/errors/registry.ts,
 * docs/ERRORS.md). Programs match on these strings; the human text that follows a code may change.
 */
export type { ErrCode, NakCode };

export const NAK_CODES = Object.keys(NAK) as NakCode[];

export const ERR_CODES = Object.keys(ERR) as ErrCode[];

/** ERR codes after which the gateway closes the connection. */
export const CLOSING_ERR_CODES: ReadonlySet<ErrCode> = new Set(ERR_CODES.filter((code) => ERR[code].closes));
