import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clockKind, connectedMsNow, deviceStatus, formatClock, formatClockError, formatDrift } from '../../gateway/device-figures.js';
import { boardClockErrorMs } from '../../gateway/ingest/clock-error.js';
import { formatDeviceTable } from '../../gateway/report.js';
import type { DeviceSummary } from '../../gateway/store/devices.js';

const NOW = 1_796_400_000_000;

function summary(id: string, over: Partial<DeviceSummary> = {}): DeviceSummary {
  return {
    id, origin: 'tofu', createdAt: 0, revokedAt: null, board: null, fw: null, lastSeen: NOW - 5_000, readings: 3, duplicates: 0,
    bytes: 90, connects: 1, connectedMs: 0, sessionsOpen: 0, connectedSince: null, clockUntrusted: 0, clockEpochMinusMillisMs: null,
    clockErrorMs: null, clockRttMs: null, clockDriftPpm: null, resetCause: null, missedSamples: null, errors: {}, ...over,
  };
}

describe('clock error from T ... off=', () => {
  test('board time at the line minus gateway time one half round trip before it was read', () => {
    // The board wrote `T 5000 off=X rtt=40` believing it was 5000 + X; the gateway read it 20 ms later.
    const truth = NOW - 5000;
    assert.equal(boardClockErrorMs(5000, NOW + 20, truth, 40), 0, 'a perfect estimate has no error');
    assert.equal(boardClockErrorMs(5000, NOW + 20, truth + 250, 40), 250, 'ahead by 250 ms');
    assert.equal(boardClockErrorMs(5000, NOW + 20, truth - 1500, 40), -1500, 'behind by 1.5 s');
    assert.equal(boardClockErrorMs(5000, NOW + 20, truth, undefined), -20, 'no round trip: the transit counts as error');
  });

  test('a board that only asks the time (no off=) has no clock to be wrong', () => {
    assert.equal(boardClockErrorMs(5000, NOW, undefined, 40), undefined);
  });

  test('kind and text: the error, "no clock (uptime stamps)", or unknown', () => {
    assert.equal(clockKind({ clockErrorMs: 12, clockEpochMinusMillisMs: 1_796_395_459_894 }), 'board');
    assert.equal(clockKind({ clockErrorMs: null, clockEpochMinusMillisMs: 1_796_395_459_894 }), 'uptime');
    assert.equal(clockKind({ clockErrorMs: null, clockEpochMinusMillisMs: null }), 'unknown');
    assert.equal(formatClock({ clockErrorMs: null, clockEpochMinusMillisMs: 1_796_395_459_894 }), 'no clock (uptime stamps)');
    assert.equal(formatClock({ clockErrorMs: null, clockEpochMinusMillisMs: null }), '-');
    assert.deepEqual([12, -340, 1_449, -61_000, 20791 * 86_400_000].map(formatClockError), ['+12 ms', '-340 ms', '+1.4 s', '-1m01s', '+20791d00h']);
    assert.deepEqual([null, 3.24, -0.5, -41.7].map(formatDrift), ['-', '+3.2 ppm', '-0.5 ppm', '-42 ppm']);
  });
});

describe('status and connected time mean the same everywhere', () => {
  test('status: revoked, connected, recent, silent, never', () => {
    assert.equal(deviceStatus(summary('a', { revokedAt: 1 }), true, NOW, 120_000), 'revoked');
    assert.equal(deviceStatus(summary('a'), true, NOW, 120_000), 'connected');
    assert.equal(deviceStatus(summary('a'), false, NOW, 120_000), 'recent');
    assert.equal(deviceStatus(summary('a', { lastSeen: NOW - 120_001 }), false, NOW, 120_000), 'silent');
    assert.equal(deviceStatus(summary('a', { lastSeen: null }), false, NOW, 120_000), 'never');
  });

  test('connected time includes the running session', () => {
    assert.equal(connectedMsNow(summary('a', { connectedMs: 60_000, connectedSince: NOW - 30_000 }), NOW), 90_000);
    assert.equal(connectedMsNow(summary('a', { connectedMs: 60_000 }), NOW), 60_000);
  });

  test('devices list: status (connected/recent/...) and origin are two columns; clock error, drift, running session', () => {
    const table = formatDeviceTable(
      [
        summary('kitchen-1', { sessionsOpen: 1, connectedSince: NOW - 42_000, connectedMs: 60_000, clockEpochMinusMillisMs: 1_796_395_459_894, clockErrorMs: -12, clockDriftPpm: 3.24, clockRttMs: 18 }),
        summary('shed', { origin: 'cli', clockEpochMinusMillisMs: 1_796_395_459_894, lastSeen: NOW - 600_000 }),
        summary('spare', { origin: 'cli', lastSeen: null, connects: 0 }),
      ],
      NOW,
      120_000,
    );
    const [header, , kitchen, shed, spare] = table.split('\n').map((l) => l.split(/\s{2,}/));
    assert.deepEqual(header, ['device', 'status', 'origin', 'readings', 'dups', 'bytes', 'errors', 'connects', 'connected', 'clock error', 'drift', 'rtt', 'last seen']);
    assert.deepEqual(kitchen, ['kitchen-1', 'connected', 'tofu', '3', '0', '90', '0', '1', '1m42s', '-12 ms', '+3.2 ppm', '18 ms', '5s ago']);
    assert.deepEqual(shed?.slice(0, 3), ['shed', 'silent', 'cli']);
    assert.equal(shed?.[9], 'no clock (uptime stamps)');
    assert.deepEqual(spare?.slice(0, 3), ['spare', 'never', 'cli']);
    assert.doesNotMatch(table, /1796395459894/, 'the raw anchor is not shown as a clock figure');
  });
});
