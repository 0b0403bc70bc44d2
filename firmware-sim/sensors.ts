import { gaussian, uniform, type Rng } from './rng.js';

/**
 * Plausible sensor values: each quantity wanders slowly around its own base (a mean-reverting
 * random walk) with a little measurement noise on top; the energy counter only ever goes up.
 * A `meter` board sends only `power_w` and `energy_wh` (whole Wh, as an S0 pulse counter counts
 * them), its counter starting at 0 with each boot (a board object is one boot).
 */
export interface SensorReading {
  temp_c: number;
  humidity: number;
  pressure_hpa: number;
  battery_v: number;
  energy_wh: number;
}

/** A `meter` board's reading: power now and the boot's energy counter. */
export interface MeterReading {
  power_w: number;
  energy_wh: number;
}

interface Walk {
  base: number;
  value: number;
  /** Random-walk step per sqrt(second). */
  sigma: number;
  /** Pull back towards base per second (0..1). */
  reversion: number;
}

const round = (value: number, decimals: number): number => {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
};

export class Sensors {
  private readonly temperature: Walk;
  private readonly humidity: Walk;
  private readonly pressure: Walk;
  private readonly power: Walk;
  private battery: number;
  private energyWh = 0;
  private lastAt: number | null = null;

  /** The last energy_wh sent (faults step back from it). */
  private lastEnergyWh = 0;

  constructor(
    private readonly rng: Rng,
    private readonly kind: 'climate' | 'meter' = 'climate',
  ) {
    const walk = (base: number, sigma: number, reversion: number): Walk => ({ base, value: base, sigma, reversion });
    this.temperature = walk(uniform(rng, 17, 25), 0.02, 0.001);
    this.humidity = walk(uniform(rng, 30, 60), 0.05, 0.001);
    this.pressure = walk(uniform(rng, 995, 1030), 0.01, 0.0005);
    this.power = walk(uniform(rng, 20, 400), 2, 0.01);
    this.battery = uniform(rng, 3.9, 4.2);
  }

  /** Takes a reading at board uptime `uptimeMs` (readings must come in time order). */
  read(uptimeMs: number): SensorReading | MeterReading {
    const seconds = this.lastAt === null ? 0 : Math.max(0, (uptimeMs - this.lastAt) / 1000);
    this.lastAt = uptimeMs;
    for (const w of [this.temperature, this.humidity, this.pressure, this.power]) this.step(w, seconds);
    this.energyWh += (Math.max(0, this.power.value) * seconds) / 3600;
    // A LiPo under a light load: about 0.02 V per hour, flattening near the cut-off.
    this.battery = Math.max(3.3, this.battery - (0.02 / 3600) * seconds);
    const noise = (sigma: number) => sigma * gaussian(this.rng);
    if (this.kind === 'meter') {
      // Whole watt-hours: the pulses counted so far (floor: a pulse is counted when it is complete).
      this.lastEnergyWh = Math.floor(this.energyWh);
      return { power_w: Math.max(0, Math.round(this.power.value + noise(3))), energy_wh: this.lastEnergyWh };
    }
    this.lastEnergyWh = Math.floor(this.energyWh * 1000) / 1000;
    return {
      temp_c: round(this.temperature.value + noise(0.05), 2),
      humidity: round(Math.min(100, Math.max(0, this.humidity.value + noise(0.3))), 1),
      pressure_hpa: round(this.pressure.value + noise(0.05), 2),
      battery_v: round(this.battery + noise(0.003), 3),
      // Rounded down so that rounding can never make the counter step back.
      energy_wh: Math.floor(this.energyWh * 1000) / 1000,
    };
  }

  /**
   * Fault injection (--counter-backwards): a reading whose energy_wh is below the last one sent,
   * or null when the counter is still too low to step back.
   */
  backwards(reading: SensorReading | MeterReading): SensorReading | MeterReading | null {
    if (this.lastEnergyWh < 1) return null;
    return { ...reading, energy_wh: Math.max(0, Math.floor(this.lastEnergyWh) - 1 - Math.floor(uniform(this.rng, 0, 10))) };
  }

  /**
   * Fault injection (--out-of-range): a value no sane rule accepts: -127 °C (what a DS18B20 reads
   * when its wire is loose), or -5 W for a meter (a current clamp fitted the wrong way round).
   */
  outOfRange(reading: SensorReading | MeterReading): SensorReading | MeterReading {
    return 'power_w' in reading ? { ...reading, power_w: -5 } : { ...reading, temp_c: -127 };
  }

  private step(w: Walk, seconds: number): void {
    if (seconds === 0) return;
    const pull = 1 - (1 - w.reversion) ** seconds;
    w.value += (w.base - w.value) * pull + w.sigma * Math.sqrt(seconds) * gaussian(this.rng);
  }
}
