import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Link, LinkHandlers, Transport } from '../../firmware-sim/link.js';
import { ManualScheduler } from '../../firmware-sim/manual-scheduler.js';
import { createRng } from '../../firmware-sim/rng.js';
import { runFleet } from '../../firmware-sim/run.js';
import { formatSummary } from '../../firmware-sim/summary.js';
import { MemoryGateway } from './fake-peer.js';

/** The in-memory gateway until `downAt`; after it every connection attempt is refused (a gateway that went away). */
class GoesDown implements Transport {
  constructor(
    private readonly inner: MemoryGateway,
    private readonly scheduler: ManualScheduler,
    private readonly downAt: number,
  ) {}

  open(deviceId: string, handlers: LinkHandlers): Link {
    if (this.scheduler.now() < this.downAt) {
      const link = this.inner.open(deviceId, handlers);
      // Live links drop at downAt, like a gateway process that stopped.
      const drop = this.scheduler.after(this.downAt - this.scheduler.now(), () => {
        link.destroy();
        handlers.onClose('reset by peer');
      });
      return { ...link, end: () => (drop.cancel(), link.end()), destroy: () => (drop.cancel(), link.destroy()), abandon: () => (drop.cancel(), link.abandon()) };
    }
    this.scheduler.after(1, () => handlers.onClose('connection refused'));
    const nothing = () => undefined;
    return { write: nothing, end: nothing, destroy: nothing, abandon: nothing };
  }

  close(): void {
    this.inner.close();
  }
}

async function drive<T>(scheduler: ManualScheduler, promise: Promise<T>): Promise<T> {
  let settled = false;
  void promise.finally(() => (settled = true));
  for (let waited = 0; !settled; waited += 50) {
    if (waited > 600_000) throw new Error('did not settle in simulated time');
    scheduler.advance(50);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return promise;
}

describe('fleet summary: unacknowledged readings still on boards are not "lost"', () => {
  it('a gateway gone before the drain leaves readings buffered on boards: reported apart from lost, result INCOMPLETE', async () => {
    const scheduler = new ManualScheduler();
    const gateway = new MemoryGateway(scheduler);
    const report = await drive(
      scheduler,
      runFleet({
        transport: new GoesDown(gateway, scheduler, scheduler.now() + 4_000),
        scheduler,
        devices: 5,
        ratePerDevice: 2,
        seed: 3,
        bootIdRng: createRng(3),
        durationMs: 6_000,
        drainTimeoutMs: 2_000,
      }),
    );
    const s = report.snapshot;
    assert.equal(report.drained, false);
    assert.ok(s.pending > 0, 'readings taken after the gateway went away are still on the boards');
    assert.equal(s.pendingBoards.holding, 5);
    assert.equal(s.pendingBoards.waiting, 5, 'every board is waiting out its reconnect backoff');
    assert.equal(report.lost, 0, 'nothing acknowledged went missing');
    assert.equal(report.ok, false);
    assert.equal(report.incomplete, true);
    assert.equal(report.problems.length, 1);
    assert.match(report.problems[0] as string, new RegExp(`^${s.pending} readings unacknowledged, still buffered on 5 boards, 5 of them waiting out a reconnect backoff when the drain timed out`));

    const text = formatSummary(report, 'fleet summary');
    if (process.env.SHOW) console.log(text);
    assert.match(text, new RegExp(`unacknowledged\\s+${s.pending}\\s+still buffered on 5 boards \\(5 waiting to reconnect\\), not lost`));
    assert.match(text, /lost\s+-\s+not checked \(give --check-db\)/);
    assert.match(text, /result: INCOMPLETE \(readings still on boards\)/);
    assert.doesNotMatch(text, /FAILED/);
    assert.equal(s.totals.taken, s.totals.acked + s.totals.naked + s.totals.droppedOverflow + s.pending);
  });
});
