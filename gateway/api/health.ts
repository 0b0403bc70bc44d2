import type { DiskFullState } from '../store/disk-full.js';

export interface HealthReason {
  /** DISK_FULL: commits fail with SQLITE_FULL/ENOSPC; BUFFER_FULL: the buffer is at store.maxBufferRows. */
  code: 'DISK_FULL' | 'BUFFER_FULL';
  message: string;
  /** Epoch ms the condition began, when known. */
  since: number | null;
}

/** `ok`, or `degraded` with the reasons boards are being told BUSY. The process still runs and serves. */
export interface Health {
  health: 'ok' | 'degraded';
  reasons: HealthReason[];
}

/** What health reads of the store. */
export interface HealthSource {
  diskFull(): DiskFullState | null;
  fullReason(): 'buffer' | 'disk' | null;
}

/** The gateway's health from its store (pure given the store's answers). */
export function gatewayHealth(store: HealthSource): Health {
  const reasons: HealthReason[] = [];
  const disk = store.diskFull();
  if (disk !== null) {
    reasons.push({
      code: 'DISK_FULL',
      message: `the disk holding the data directory is full (${disk.error}): boards are told BUSY and nothing new is stored; free space and readings resume on their own`,
      since: disk.since,
    });
  }
  if (store.fullReason() === 'buffer') {
    reasons.push({ code: 'BUFFER_FULL', message: 'the buffer is at store.maxBufferRows: boards are told BUSY until the sinks catch up', since: null });
  }
  return { health: reasons.length === 0 ? 'ok' : 'degraded', reasons };
}
