import type { BackoffOptions } from './backoff.js';

/**
 * What distinguishes the simulated boards. Buffer sizes, sample period and backoff bounds are the
 * sketches' own (sketches/*_logger/*.ino and config.example.h): a buffered reading is a 64-byte
 * slot, so the ESP8266 keeps 200 (12.8 KB of its ~40 KB heap) and the Feather M0 keeps 150
 * (9.6 KB of the SAMD21's 32 KB, WiFi101 and the USB stack needing most of the rest).
 */
export type ProfileName = 'esp8266' | 'feather-m0' | 'meter';
export const PROFILE_NAMES: readonly ProfileName[] = ['esp8266', 'feather-m0', 'meter'];

export interface Profile {
  name: ProfileName;
  /** HELLO `board=`. */
  board: string;
  /**
   * What the board measures: `climate` (temp_c, humidity, pressure_hpa, battery_v, energy_wh) or
   * `meter` (an electricity meter: power_w and the counter energy_wh, restarting at 0 each boot).
   */
  sensors: 'climate' | 'meter';
  /** Unacknowledged readings kept in RAM; when full the oldest is dropped. */
  bufferCapacity: number;
  /** Time between two readings, in board milliseconds (a fleet's --rate overrides it). */
  samplePeriodMs: number;
  /** Wi-Fi and TCP reconnect delays. */
  backoff: BackoffOptions;
  /** Crystal tolerance: each board draws its drift uniformly from ±driftPpm. */
  driftPpm: number;
  /** Give up on a TCP connect that has not opened after this long. */
  connectTimeoutMs: number;
  /** Give up when `HELLO OK` has not come this long after HELLO. */
  helloTimeoutMs: number;
  /** Readings sent and nothing at all received for this long: the link is presumed dead. */
  replyTimeoutMs: number;
  /** Send `PING` after this long without sending anything (the gateway's idle limit is 120 s). */
  keepaliveMs: number;
  /** After BUSY, a closing ERR or BYE from the gateway, wait this long for the close before closing. */
  closeWaitMs: number;
  /** `T` requests per round (best round trip wins) and board time between rounds. */
  timeSync: { samples: number; resyncMs: number };
}

const COMMON = {
  connectTimeoutMs: 10_000,
  helloTimeoutMs: 10_000,
  replyTimeoutMs: 30_000,
  keepaliveMs: 60_000,
  closeWaitMs: 10_000,
  timeSync: { samples: 3, resyncMs: 3_600_000 },
} as const;

export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  esp8266: {
    ...COMMON,
    name: 'esp8266',
    board: 'esp8266',
    sensors: 'climate',
    bufferCapacity: 200,
    samplePeriodMs: 10_000,
    backoff: { minMs: 500, maxMs: 30_000, factor: 2 },
    driftPpm: 40,
  },
  'feather-m0': {
    ...COMMON,
    name: 'feather-m0',
    board: 'feather-m0',
    sensors: 'climate',
    bufferCapacity: 150,
    samplePeriodMs: 10_000,
    backoff: { minMs: 500, maxMs: 30_000, factor: 2 },
    driftPpm: 20,
  },
  // An ESP8266 on a meter's S0 pulse output (1 pulse = 1 Wh, counted in RAM: 0 after a reboot),
  // sending every 10 s like the energy sketch (sketches/ SheetlogClient EnergyCounter.h).
  meter: {
    ...COMMON,
    name: 'meter',
    board: 'esp8266',
    sensors: 'meter',
    bufferCapacity: 200,
    samplePeriodMs: 10_000,
    backoff: { minMs: 500, maxMs: 30_000, factor: 2 },
    driftPpm: 40,
  },
};

export function isProfileName(name: string): name is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(name);
}
