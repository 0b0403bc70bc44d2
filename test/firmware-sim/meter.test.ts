import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCli } from '../../firmware-sim/cli-args.js';
import { PROFILES } from '../../firmware-sim/profiles.js';
import { createRng } from '../../firmware-sim/rng.js';
import { Sensors } from '../../firmware-sim/sensors.js';

/** The meter profile's sensors and the field faults (--counter-backwards, --out-of-range). */

test('meter: power_w and whole-Wh energy_wh that never steps back and starts at 0 each boot', () => {
  assert.equal(PROFILES.meter.sensors, 'meter');
  const sensors = new Sensors(createRng(5), 'meter');
  const readings = Array.from({ length: 400 }, (_, i) => sensors.read(i * 10_000) as { power_w: number; energy_wh: number });
  assert.deepEqual(Object.keys(readings[0]!), ['power_w', 'energy_wh']);
  assert.equal(readings[0]!.energy_wh, 0, 'a new boot counts from 0');
  for (let i = 1; i < readings.length; i++) {
    assert.ok(readings[i]!.energy_wh >= readings[i - 1]!.energy_wh, `step ${i}`);
    assert.ok(Number.isInteger(readings[i]!.energy_wh));
    assert.ok(readings[i]!.power_w >= 0);
  }
  const wh = readings[readings.length - 1]!.energy_wh;
  // 400 × 10 s ≈ 1.1 h at 20..400 W (the walk's base) plus noise: a few Wh to a few hundred.
  assert.ok(wh > 0 && wh < 2000, `${wh} Wh in about an hour`);
  // A reboot is a new board object: the counter starts again.
  assert.equal((new Sensors(createRng(5), 'meter').read(0) as { energy_wh: number }).energy_wh, 0);
});

test('faults: a backwards counter lies below the last value sent; out of range is -127 °C or -5 W', () => {
  const meter = new Sensors(createRng(9), 'meter');
  let last = meter.read(0);
  for (let t = 1; (last as { energy_wh: number }).energy_wh < 5; t++) last = meter.read(t * 60_000);
  const back = meter.backwards(last) as { energy_wh: number };
  assert.ok(back.energy_wh < (last as { energy_wh: number }).energy_wh);
  assert.equal((meter.outOfRange(last) as { power_w: number }).power_w, -5);
  const climate = new Sensors(createRng(9));
  assert.equal(climate.backwards(climate.read(0)), null, 'nothing to step back from yet');
  assert.equal((climate.outOfRange(climate.read(1000)) as { temp_c: number }).temp_c, -127);
});

test('cli: --profile meter, --counter-backwards and --out-of-range', () => {
  const c = parseCli(['--profile', 'meter', '--counter-backwards', '0.1', '--out-of-range', '0.05']);
  assert.equal(c.profile, 'meter');
  assert.equal(c.counterBackwards, 0.1);
  assert.equal(c.outOfRange, 0.05);
});
