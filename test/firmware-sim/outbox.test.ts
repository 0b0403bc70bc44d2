import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyCounters } from '../../firmware-sim/device-stats.js';
import { Histogram } from '../../firmware-sim/histogram.js';
import { Outbox } from '../../firmware-sim/outbox.js';
import { RangeSet } from '../../firmware-sim/range-set.js';

function outbox(capacity = 8) {
  const counters = emptyCounters();
  const acked = new RangeSet();
  const latency = new Histogram();
  return { box: new Outbox(capacity, counters, latency, acked), counters, acked, latency };
}

describe('Outbox', () => {
  it('sends each reading once per connection, oldest first, and resends everything on the next', () => {
    const { box, counters } = outbox();
    box.add(1, 'R 1');
    box.add(2, 'R 2');
    assert.deepEqual(box.takeUnsent(1, 0), ['R 1', 'R 2']);
    box.add(3, 'R 3');
    assert.deepEqual(box.takeUnsent(1, 0), ['R 3']);
    assert.deepEqual(box.takeUnsent(2, 0), ['R 1', 'R 2', 'R 3']);
    assert.equal(counters.sent, 3);
    assert.equal(counters.resent, 3);
  });

  it('a cumulative ACK removes only readings sent on that connection', () => {
    const { box, counters, acked, latency } = outbox();
    for (const seq of [1, 2, 3]) box.add(seq, `R ${seq}`);
    box.takeUnsent(1, 100);
    assert.equal(box.acknowledge(3, 2, 150), 0, 'an ACK of another connection covers nothing');
    assert.equal(box.acknowledge(2, 1, 150), 2);
    assert.deepEqual([...acked], [1, 2]);
    assert.equal(latency.summary().max, 50);
    assert.equal(box.awaitingAck(1), true);
    assert.equal(box.acknowledge(3, 1, 160), 1);
    assert.equal(box.awaitingAck(1), false);
    assert.equal(counters.acked, 3);
  });

  it('HELLO OK acked-seq confirms readings whatever connection sent them', () => {
    const { box, counters } = outbox();
    for (const seq of [4, 5, 7]) box.add(seq, `R ${seq}`);
    box.takeUnsent(1, 0);
    assert.equal(box.confirmDurable(5), 2);
    assert.equal(counters.ackedAtHello, 2);
    assert.equal(box.size, 1);
  });

  it('a NAK drops just that reading; a NAK for an unknown or unsent seq is refused', () => {
    const { box, counters } = outbox();
    for (const seq of [1, 2, 3]) box.add(seq, `R ${seq}`);
    box.takeUnsent(1, 0);
    assert.equal(box.reject(2, 'BAD_VALUE', 1), true);
    assert.equal(box.reject(2, 'BAD_VALUE', 1), false);
    assert.equal(box.reject(3, 'BAD_VALUE', 2), false);
    assert.deepEqual(counters.naks, { BAD_VALUE: 1 });
    assert.deepEqual(box.takeUnsent(3, 0), ['R 1', 'R 3']);
  });

  it('counts readings dropped when full, keeping taken = acked + naked + dropped + pending', () => {
    const { box, counters } = outbox(2);
    for (const seq of [1, 2, 3, 4, 5]) box.add(seq, `R ${seq}`);
    assert.equal(counters.droppedOverflow, 3);
    assert.deepEqual(box.takeUnsent(1, 0), ['R 4', 'R 5']);
    box.acknowledge(4, 1, 0);
    assert.equal(counters.taken, counters.acked + counters.naked + counters.droppedOverflow + box.size);
  });
});
