/** Errors of the store with stable codes (listed in README.md, "Error codes"). */
export type StoreErrorCode =
  | 'STORE_NO_WAL'
  | 'STORE_TOO_NEW'
  | 'DEVICE_EXISTS'
  | 'DEVICE_UNKNOWN'
  | 'DEVICE_ID_INVALID'
  | 'QUARANTINE_SELECTION';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}
