import type { StoreErrorCode } from '../errors/registry.js';

/** Errors of the store with stable codes (gateway/errors/registry.ts, docs/ERRORS.md). */
export type { StoreErrorCode };

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}
