import type { Profile } from './profiles.js';
import type { Rng } from './rng.js';
import type { Scheduler } from './scheduler.js';
import type { Transport } from './link.js';

export type DeviceState = 'idle' | 'offline' | 'connecting' | 'hello' | 'online' | 'closing' | 'bye' | 'stopped' | 'failed';

export interface DeviceOptions {
  id: string;
  token: string;
  profile: Profile;
  transport: Transport;
  scheduler: Scheduler;
  /** Sensor noise, jitter, drift and garbage draw from this. */
  rng: Rng;
  /** The boot id (random per power-up). Default: drawn from `rng`. */
  bootId?: number;
  /** Overrides the profile's sample period (board milliseconds). */
  samplePeriodMs?: number;
  /** Delay before the first reading (real ms). Default: uniform in [0, period) so a fleet spreads out. */
  firstSampleDelayMs?: number;
  /** Crystal drift; default drawn uniformly from ±profile.driftPpm. */
  driftPpm?: number;
  /** Uptime at boot (to start near the millis() rollover). Default 0. */
  startUptimeMs?: number;
  /** Error of the board's wall clock, added to every epoch timestamp it sends. Default 0. */
  clockSkewMs?: number;
  /** Probability, per reading, of also sending a malformed line. Default 0. */
  garbageProbability?: number;
  /** Probability, per reading, of sending energy_wh below the last one sent (NAKed COUNTER_BACKWARDS by a counter rule). Default 0. */
  counterBackwardsProbability?: number;
  /** Probability, per reading, of sending a value out of any sane range (temp_c -127, a meter's power_w -5). Default 0. */
  outOfRangeProbability?: number;
  /** HELLO `fw=`. */
  fw?: string;
  /** Called when a reading is sent for the first time (the fleet counts them for --kill-after). */
  onFirstSend?: () => void;
}

export const FINAL_STATES: ReadonlySet<DeviceState> = new Set(['stopped', 'failed']);
