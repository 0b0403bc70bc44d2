import type { Refusal } from '../../protocol/messages.js';
import { MAX_RANGES_PER_BOOT } from '../../store/seq-ledger.js';

/**
 * The NAK for a reading the store refused at its commit (outcome `gaps`): its boot holds
 * MAX_RANGES_PER_BOOT runs of seqs and this seq would open another (docs/OPERATIONS.md, "Resends").
 * Every transport answers it as it answers the field rules' NAKs, counted.
 */
export function tooManyGaps(seq: number): Refusal {
  return { scope: 'nak', seq, code: 'TOO_MANY_GAPS', text: `this boot already has ${MAX_RANGES_PER_BOOT} runs of seqs; number readings consecutively or start a new boot` };
}
