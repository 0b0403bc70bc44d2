import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fieldsSection } from '../../../gateway/config/sections/fields.js';
import { counterForward } from '../../../gateway/fields/counter-guard.js';
import { IngestFieldChecks } from '../../../gateway/fields/ingest-checks.js';
import { FieldRules } from '../../../gateway/fields/rules.js';
import { IngestSession } from '../../../gateway/ingest/session/session.js';
import type { Fields, ReadingMessage, Refusal } from '../../../gateway/protocol/messages.js';
import type { ReadingOutcome } from '../../../gateway/store/ops.js';
import { sessionHarness } from '../ingest/session/harness.js';

/**
 * The field rules at ingest, through the device session every transport uses (a real Store in a
 * temp dir, commits run by the test): ranges on the calibrated value, non-numbers, counters
 * decided in seq order, duplicates, new boots, wrap, and a gateway restart (fresh memory, same store).
 */

const RULES = fieldsSection.parse([
  { match: 'temp_c', unit: '°C', scale: 0.1, offset: -2, min: -40, max: 85 },
  { match: 'energy_wh', unit: 'Wh', kind: 'counter' },
  { match: 'pulses', kind: 'counter', wrap: 65536 },
  { match: 'label', unit: 'txt' },
]);

function setup(t: { after: (fn: () => void) => void }) {
  const h = sessionHarness(t, 'off');
  h.store.devices.add('m1', h.timers.now());
  h.ctx.fields = new IngestFieldChecks(new FieldRules(RULES));
  const session = new IngestSession(h.ctx);
  session.hello({ deviceId: 'm1', boot: 7 }, h.timers.now(), { live: true, connects: false });
  const outcomes: ReadingOutcome[] = [];
  /** Screens and, when it passes, accepts; returns the NAK code or the outcome after a commit. */
  const send = async (s: IngestSession, seq: number, fields: Fields): Promise<string> => {
    const msg: ReadingMessage = { verb: 'R', seq, ts: { kind: 'gateway' }, fields };
    const refusal: Refusal | null = s.screen(msg);
    if (refusal !== null) {
      s.refused(refusal);
      await h.commit();
      return refusal.code;
    }
    let outcome: ReadingOutcome | null = null;
    s.accept(msg, 20, h.timers.now(), (o) => (outcome = o));
    await h.commit();
    outcomes.push(outcome!);
    return outcome!;
  };
  return { ...h, session, send };
}

test('a range is checked on the calibrated value; the value as sent is what is stored; NAKs are counted per device', async (t) => {
  const { session, send, store, ctx } = setup(t);
  assert.equal(await send(session, 1, { temp_c: 215 }), 'stored'); // shown 19.5 °C
  assert.equal(await send(session, 2, { temp_c: 870 }), 'stored'); // shown 85: the maximum itself is valid
  assert.equal(await send(session, 3, { temp_c: 880 }), 'OUT_OF_RANGE'); // shown 86
  assert.equal(await send(session, 4, { temp_c: -390 }), 'OUT_OF_RANGE'); // shown -41
  assert.equal(await send(session, 5, { temp_c: 'warm' }), 'NOT_NUMERIC');
  assert.equal(await send(session, 6, { temp_c: true }), 'NOT_NUMERIC');
  assert.equal(await send(session, 7, { label: 'warm', other: 'x' }), 'stored', 'a unit-only rule takes any value');
  assert.deepEqual(
    store.readings.after(0, 10).map((r) => [r.seq, r.fields]),
    [
      [1, '{"temp_c":215}'],
      [2, '{"temp_c":870}'],
      [7, '{"label":"warm","other":"x"}'],
    ],
  );
  assert.equal(ctx.counters.naks.get('OUT_OF_RANGE'), 2);
  assert.equal(ctx.counters.naks.get('NOT_NUMERIC'), 2);
  assert.deepEqual(store.devices.get('m1')?.errors, { NOT_NUMERIC: 2, OUT_OF_RANGE: 2 });
});

test('a counter never goes backwards within a boot; a resend of an ACKed seq is a duplicate, not backwards', async (t) => {
  const { session, send, ctx } = setup(t);
  assert.equal(await send(session, 1, { energy_wh: 100 }), 'stored');
  assert.equal(await send(session, 2, { energy_wh: 100 }), 'stored', 'equal is not backwards');
  assert.equal(await send(session, 3, { energy_wh: 150 }), 'stored');
  assert.equal(await send(session, 4, { energy_wh: 149 }), 'COUNTER_BACKWARDS');
  // The ACK of 3 was lost: the board resends 3 (and 2) after a reconnect.
  assert.equal(await send(session, 3, { energy_wh: 150 }), 'duplicate');
  assert.equal(await send(session, 2, { energy_wh: 100 }), 'duplicate');
  assert.equal(await send(session, 4, { energy_wh: 151 }), 'stored', 'the NAKed seq may carry a good value later');
  assert.equal(ctx.counters.naks.get('COUNTER_BACKWARDS'), 1);
});

test('out of order within a boot: decided by seq, not by arrival', async (t) => {
  const { session, send } = setup(t);
  assert.equal(await send(session, 1, { energy_wh: 10 }), 'stored');
  assert.equal(await send(session, 5, { energy_wh: 50 }), 'stored');
  // Seqs 2..4 come late from the board's ring: they must lie between their stored neighbours.
  assert.equal(await send(session, 3, { energy_wh: 30 }), 'stored');
  assert.equal(await send(session, 2, { energy_wh: 31 }), 'COUNTER_BACKWARDS', 'higher than seq 3');
  assert.equal(await send(session, 4, { energy_wh: 60 }), 'COUNTER_BACKWARDS', 'higher than seq 5');
  assert.equal(await send(session, 4, { energy_wh: 29 }), 'COUNTER_BACKWARDS', 'lower than seq 3');
  assert.equal(await send(session, 4, { energy_wh: 40 }), 'stored');
  assert.equal(await send(session, 6, { energy_wh: 49 }), 'COUNTER_BACKWARDS', 'the highest seq still bounds new ones');
  // A reading without the counter field is passed over when looking for neighbours.
  assert.equal(await send(session, 7, { temp_c: 200 }), 'stored');
  assert.equal(await send(session, 8, { energy_wh: 55 }), 'stored');
});

test('a new boot starts again from 0; wrap: just past the wrap point is forward', async (t) => {
  const { session, send, timers } = setup(t);
  assert.equal(await send(session, 1, { energy_wh: 5000, pulses: 65000 }), 'stored');
  assert.equal(await send(session, 2, { energy_wh: 5001, pulses: 300 }), 'stored', 'pulses wrapped at 65536: +836');
  assert.equal(await send(session, 3, { energy_wh: 5002, pulses: 200 }), 'COUNTER_BACKWARDS', 'a small step down is backwards even with wrap');
  session.hello({ deviceId: 'm1', boot: 8 }, timers.now(), { live: true, connects: false });
  assert.equal(await send(session, 1, { energy_wh: 0, pulses: 0 }), 'stored', 'a reboot restarts the counter');
  assert.equal(await send(session, 2, { energy_wh: 3 }), 'stored');
  // A late reading of the old boot is still checked against that boot's readings.
  session.hello({ deviceId: 'm1', boot: 7 }, timers.now(), { live: true, connects: false });
  assert.equal(await send(session, 3, { energy_wh: 4999 }), 'COUNTER_BACKWARDS');
  assert.equal(await send(session, 3, { energy_wh: 5003 }), 'stored');
});

test('across a gateway restart: the last value is derived from the stored readings', async (t) => {
  const { session, send, ctx, store, timers } = setup(t);
  assert.equal(await send(session, 1, { energy_wh: 700 }), 'stored');
  assert.equal(await send(session, 2, { energy_wh: 720 }), 'stored');
  // A restarted gateway: fresh field checks (no memory), the same database.
  ctx.fields = new IngestFieldChecks(new FieldRules(RULES));
  const after = new IngestSession(ctx);
  after.hello({ deviceId: 'm1', boot: 7 }, timers.now(), { live: true, connects: false });
  assert.equal(await send(after, 3, { energy_wh: 719 }), 'COUNTER_BACKWARDS');
  assert.equal(await send(after, 2, { energy_wh: 720 }), 'duplicate', 'the resend of the last ACKed seq');
  assert.equal(await send(after, 3, { energy_wh: 721 }), 'stored');
  assert.equal(store.readings.count(), 3);
});

test('counterForward: the pure step rule', () => {
  assert.equal(counterForward(5, 5, null), true);
  assert.equal(counterForward(5, 4, null), false);
  assert.equal(counterForward(4294967000, 200, 4294967296), true);
  assert.equal(counterForward(100, 50, 4294967296), false);
});
