/**
 * Seeded pseudo-random numbers. Everything random in the simulator (sensor noise, faults, jitter)
 * draws from an Rng handed in by the caller, so a test or a `--seed` run is reproducible.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
}

/** 32-bit FNV-1a of a string: turns a seed plus a label into an independent stream's seed. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** mulberry32: small, fast, and good enough for simulation (not for secrets). */
export function createRng(seed: number | string): Rng {
  let state = typeof seed === 'number' ? seed >>> 0 : fnv1a(seed);
  return {
    next() {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/** An independent stream for one named part (e.g. `device:17/faults`), stable whatever the order of creation. */
export function deriveRng(seed: number | string, label: string): Rng {
  return createRng(`${String(seed)}/${label}`);
}

export function uniform(rng: Rng, low: number, high: number): number {
  return low + (high - low) * rng.next();
}

/** Integer in [0, n). */
export function intBelow(rng: Rng, n: number): number {
  return Math.floor(rng.next() * n);
}

/** A non-zero unsigned 32-bit integer (boot ids). */
export function nonZeroU32(rng: Rng): number {
  return 1 + intBelow(rng, 0xffffffff);
}

export function chance(rng: Rng, probability: number): boolean {
  return probability > 0 && rng.next() < probability;
}

/** Standard normal deviate (Box-Muller). */
export function gaussian(rng: Rng): number {
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Waiting time of a Poisson process with `ratePerMs` events per millisecond. */
export function exponentialMs(rng: Rng, ratePerMs: number): number {
  return -Math.log(1 - rng.next()) / ratePerMs;
}
