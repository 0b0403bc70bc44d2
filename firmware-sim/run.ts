import { auditAll, type AuditResult } from './audit.js';
import { Fleet, type FleetOptions, type FleetSnapshot } from './fleet.js';
import type { LatencySummary } from './histogram.js';
import type { Transport } from './link.js';
import { systemScheduler, type Scheduler } from './scheduler.js';
import { checkStore, type StoreCheck } from './store-check.js';

/**
 * One complete fleet run, as the CLI, the benchmarks and the tests use it:
 *
 *   start boards ─ run for durationMs (or until `signal`) ─ drain: faults off, every board
 *   empties its buffer and says BYE ─ stop ─ audit over the protocol ─ check the store (optional)
 */
export interface RunOptions extends FleetOptions {
  /** How long boards take readings; null runs until `signal` aborts. */
  durationMs: number | null;
  /** How long the drain may take before unacknowledged readings count as lost. Default 30 s. */
  drainTimeoutMs?: number;
  /** Ends the sampling phase early (Ctrl-C); the drain still runs. */
  signal?: AbortSignal;
  /** When set, reconnect as every board after the drain and compare HELLO OK's acked-seq. */
  auditTransport?: Transport;
  /** When set, check this SQLite file read-only (the gateway's `<data>/sheetlog.db`). */
  storePath?: string;
  /** Called once the fleet exists (progress display, kill switch). */
  onStart?: (fleet: Fleet) => void;
}

export interface FleetReport {
  snapshot: FleetSnapshot;
  latency: LatencySummary;
  /** HELLO → HELLO OK, ms. */
  helloLatency: LatencySummary;
  endedBy: 'duration' | 'signal';
  /** Every board emptied its buffer within the drain timeout. */
  drained: boolean;
  /**
   * Acknowledged readings missing from the store (`storePath` given; else 0). Readings still held by
   * boards are not lost: they are `snapshot.pending`, delivered on the boards' next connection.
   */
  lost: number;
  /** Only problem: readings still buffered on boards (the drain ended first); nothing was lost. */
  incomplete: boolean;
  audit: { checked: number; failures: Extract<AuditResult, { ok: false }>[] } | null;
  store: StoreCheck | null;
  /** Why the run counts as failed; empty when it passed. */
  problems: string[];
  ok: boolean;
}

export async function runFleet(options: RunOptions): Promise<FleetReport> {
  const scheduler = options.scheduler ?? systemScheduler;
  const fleet = new Fleet({ ...options, scheduler });
  fleet.start();
  options.onStart?.(fleet);
  const endedBy = await waitForEnd(scheduler, options.durationMs, options.signal);
  const drained = await fleet.finish(options.drainTimeoutMs ?? 30_000);
  const snapshot = fleet.snapshot();
  fleet.stop();
  const latency = fleet.latency().summary();
  const helloLatency = fleet.helloLatency().summary();

  let audit: FleetReport['audit'] = null;
  if (options.auditTransport) {
    const requests = fleet.devices
      .filter((d) => d.state !== 'idle' && !d.failure)
      .map((d) => ({
        deviceId: d.id,
        token: fleet.credentialList().find((c) => c.id === d.id)?.token ?? '',
        bootId: d.bootId,
        up: d.millis(),
        board: d.profile.board,
        highestAcked: d.ackedSeqs.max(),
        low: d.highestGivenUpSeq + 1,
      }));
    const results = await auditAll(requests, options.auditTransport, scheduler);
    options.auditTransport.close();
    audit = { checked: results.length, failures: results.filter((r): r is Extract<AuditResult, { ok: false }> => !r.ok) };
  }
  const store = options.storePath ? checkStore(options.storePath, fleet.acked()) : null;
  const lost = store?.missing ?? 0;
  const problems = judge(snapshot, drained, audit, store);
  const incomplete = problems.length === 1 && snapshot.pending > 0;
  return { snapshot, latency, helloLatency, endedBy, drained, lost, incomplete, audit, store, problems, ok: problems.length === 0 };
}

function judge(snapshot: FleetSnapshot, drained: boolean, audit: FleetReport['audit'], store: StoreCheck | null): string[] {
  const problems: string[] = [];
  const t = snapshot.totals;
  if (snapshot.pending > 0) problems.push(bufferedProblem(snapshot, drained));
  if (store && store.missing > 0) problems.push(`${store.missing} acknowledged readings missing from ${store.path}`);
  if (store && store.duplicates > 0) problems.push(`${store.duplicates} readings stored more than once`);
  if (audit && audit.failures.length > 0) problems.push(`${audit.failures.length} boards failed the end-of-run audit`);
  if (snapshot.failed.length > 0) problems.push(`${snapshot.failed.length} boards stopped for good (${snapshot.failed[0]?.reason} ...)`);
  if (t.garbageAccepted > 0) problems.push(`${t.garbageAccepted} malformed readings were acknowledged instead of NAKed`);
  if (t.protocolViolations > 0) problems.push(`${t.protocolViolations} gateway replies broke the protocol`);
  return problems;
}

/** Readings still on boards are unconfirmed, not lost: say where they wait and why. */
function bufferedProblem(snapshot: FleetSnapshot, drained: boolean): string {
  const { holding, waiting } = snapshot.pendingBoards;
  const why = waiting > 0 ? `, ${waiting} of them waiting out a reconnect backoff` : '';
  const end = drained ? '' : ' when the drain timed out (--drain-timeout)';
  return `${snapshot.pending} readings unacknowledged, still buffered on ${holding} boards${why}${end}; not lost: a board resends them on its next connection`;
}

function waitForEnd(scheduler: Scheduler, durationMs: number | null, signal?: AbortSignal): Promise<'duration' | 'signal'> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve('signal');
    const timer = durationMs === null ? null : scheduler.after(durationMs, () => done('duration'));
    const onAbort = () => done('signal');
    const done = (why: 'duration' | 'signal') => {
      timer?.cancel();
      signal?.removeEventListener('abort', onAbort);
      resolve(why);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
