import type { CounterLookup } from '../../fields/counter-guard.js';
import type { DeviceCredentials } from '../../store/devices.js';
import type { WriteOp } from '../../store/ops.js';

/**
 * What ingest needs from the store, and nothing more: queue a write for the next group commit,
 * ask about stored readings and the device registry, and whether the buffer is full. `Store`
 * satisfies it as it is; session tests hand in a fake.
 */
export interface IngestStore {
  readonly committer: { enqueue(op: WriteOp): void };
  readonly readings: {
    /** The highest seq stored for (device, boot), 0 when none. */
    highestSeq(device: string, boot: number): number;
    /** The end of the run of stored seqs after `after`, and whether more follow past a gap. */
    contiguousSeq(device: string, boot: number, after: number): { prefix: number; more: boolean };
    bootExists(device: string, boot: number): boolean;
    /** A counter field's stored values around `seq` of (device, boot) (field rules, docs/FIELDS.md). */
    counterNear: CounterLookup['counterNear'];
  };
  readonly devices: { find(id: string): DeviceCredentials | undefined };
  /** Whether boards must be refused with BUSY. */
  isFull(): boolean;
  /** Why boards are refused with BUSY (absent: the buffer). */
  fullReason?(): 'buffer' | 'disk' | null;
}
