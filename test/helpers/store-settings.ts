import type { StoreSettings } from '../../gateway/store/store.js';

/** A store for unit tests: FULL sync, small limits; the tests flush the group commit by hand. */
export const TEST_STORE_SETTINGS: StoreSettings = {
  file: 'sheetlog.db',
  synchronous: 'FULL',
  busyTimeoutMs: 1000,
  commitDelayMs: 5,
  commitMaxRows: 100,
  maxBufferRows: 1000,
  retentionHours: 1,
};
