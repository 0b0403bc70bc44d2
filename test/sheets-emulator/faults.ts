// Fault injection: random faults with a seeded RNG (reproducible runs) and a deterministic
// queue ("the next N write requests get X"). The queue wins over the random draw.
//
// Spec grammar (for --faults and POST /_emulator/faults {"spec": ...}), comma-separated:
//   <action>=<probability>        action: 429 | 500 | 503 | drop-before-apply | drop-after-apply
//   latency=<min>[-<max>][@<p>]   added delay in ms, uniform in [min, max], with probability p (default 1)
//   seed=<integer>                RNG seed (default 1)
//   on=all|reads|writes           which API requests random faults hit (default all; never token requests)
//   next-<target>=<what>[*<n>]    queue: target read | write | any | token; what is an action or latency:<ms>
// Example: "429=0.1,503=0.05,drop-after-apply=0.05,latency=20-200,seed=42,next-write=drop-after-apply*2"

import { SpecError } from './errors.js';

export const FAULT_ACTIONS = ['429', '500', '503', 'drop-before-apply', 'drop-after-apply'] as const;
export type FaultAction = (typeof FAULT_ACTIONS)[number];
export type FaultTarget = 'read' | 'write' | 'any' | 'token';
export type RequestClass = 'read' | 'write' | 'token';

export interface QueuedFault {
  target: FaultTarget;
  action: FaultAction | 'latency';
  /** How many matching requests get it (default 1). */
  count: number;
  latencyMs?: number;
}

export interface FaultConfig {
  seed: number;
  appliesTo: 'all' | 'reads' | 'writes';
  probabilities: Partial<Record<FaultAction, number>>;
  latency?: { minMs: number; maxMs: number; probability: number };
  queue: QueuedFault[];
}

export interface FaultDecision {
  action?: FaultAction;
  latencyMs: number;
  source?: 'queue' | 'random';
}

export function noFaults(): FaultConfig {
  return { seed: 1, appliesTo: 'all', probabilities: {}, queue: [] };
}

/** mulberry32: tiny, seedable, good enough to make fault runs reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function isAction(value: string): value is FaultAction {
  return (FAULT_ACTIONS as readonly string[]).includes(value);
}

function number(text: string, what: string, min: number, max = Number.POSITIVE_INFINITY): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new SpecError(`bad ${what} "${text}"`);
  return n;
}

function parseQueueEntry(target: string, value: string): QueuedFault {
  if (!['read', 'write', 'any', 'token'].includes(target)) throw new SpecError(`bad queue target "next-${target}" (read, write, any or token)`);
  const [what = '', times] = value.split('*');
  const count = times === undefined ? 1 : number(times, 'count', 1);
  if (what.startsWith('latency:')) {
    return { target: target as FaultTarget, action: 'latency', count, latencyMs: number(what.slice(8), 'latency', 0) };
  }
  if (!isAction(what)) throw new SpecError(`bad fault "${what}" (one of ${FAULT_ACTIONS.join(', ')}, latency:<ms>)`);
  return { target: target as FaultTarget, action: what, count };
}

function parseLatency(value: string): FaultConfig['latency'] {
  const [range = '', p] = value.split('@');
  const [min = '', max] = range.split('-');
  const minMs = number(min, 'latency', 0);
  const maxMs = max === undefined ? minMs : number(max, 'latency', minMs);
  return { minMs, maxMs, probability: p === undefined ? 1 : number(p, 'probability', 0, 1) };
}

export function parseFaultSpec(spec: string): FaultConfig {
  const config = noFaults();
  for (const entry of spec.split(',').map((e) => e.trim()).filter(Boolean)) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new SpecError(`bad fault entry "${entry}" (expected name=value)`);
    const name = entry.slice(0, eq);
    const value = entry.slice(eq + 1);
    if (name === 'seed') config.seed = number(value, 'seed', 0);
    else if (name === 'latency') config.latency = parseLatency(value);
    else if (name === 'on') {
      if (value !== 'all' && value !== 'reads' && value !== 'writes') throw new SpecError(`bad on= "${value}" (all, reads or writes)`);
      config.appliesTo = value;
    } else if (name.startsWith('next-')) config.queue.push(parseQueueEntry(name.slice(5), value));
    else if (isAction(name)) config.probabilities[name] = number(value, `probability for ${name}`, 0, 1);
    else throw new SpecError(`unknown fault "${name}"`);
  }
  return validateFaultConfig(config);
}

/** Accepts a spec string, `{spec}` or a (partial) FaultConfig object, as the control endpoint does. */
export function faultConfigFrom(input: unknown): FaultConfig {
  if (typeof input === 'string') return parseFaultSpec(input);
  if (!input || typeof input !== 'object') throw new SpecError('faults must be a spec string or an object');
  const obj = input as Record<string, unknown>;
  if (typeof obj['spec'] === 'string') return parseFaultSpec(obj['spec']);
  return validateFaultConfig({ ...noFaults(), ...(obj as Partial<FaultConfig>) });
}

function validateFaultConfig(config: FaultConfig): FaultConfig {
  const total = Object.values(config.probabilities).reduce((sum, p) => sum + (p ?? 0), 0);
  for (const [name, p] of Object.entries(config.probabilities)) {
    if (!isAction(name) || typeof p !== 'number' || p < 0 || p > 1) throw new SpecError(`bad probability for "${name}"`);
  }
  if (total > 1) throw new SpecError(`fault probabilities add up to ${total}, more than 1`);
  for (const q of config.queue) {
    if (!['read', 'write', 'any', 'token'].includes(q.target) || !(isAction(q.action) || q.action === 'latency')) throw new SpecError(`bad queued fault ${JSON.stringify(q)}`);
    if (!Number.isInteger(q.count) || q.count < 1) throw new SpecError(`bad queued fault count ${JSON.stringify(q)}`);
  }
  return { ...config, queue: config.queue.map((q) => ({ ...q })) };
}

export class FaultInjector {
  private config: FaultConfig = noFaults();
  private random: () => number = seededRandom(1);

  constructor(config: FaultConfig = noFaults()) {
    this.configure(config);
  }

  /** Replaces the configuration and restarts the RNG from the seed. */
  configure(config: FaultConfig): void {
    this.config = validateFaultConfig(config);
    this.random = seededRandom(this.config.seed);
  }

  enqueue(fault: QueuedFault): void {
    this.config = validateFaultConfig({ ...this.config, queue: [...this.config.queue, fault] });
  }

  describe(): FaultConfig {
    return structuredClone(this.config);
  }

  private fromQueue(kind: RequestClass): FaultDecision | undefined {
    const i = this.config.queue.findIndex((q) => q.target === kind || (q.target === 'any' && kind !== 'token'));
    const entry = this.config.queue[i];
    if (!entry) return undefined;
    entry.count -= 1;
    if (entry.count <= 0) this.config.queue.splice(i, 1);
    if (entry.action === 'latency') return { latencyMs: entry.latencyMs ?? 0, source: 'queue' };
    return { action: entry.action, latencyMs: 0, source: 'queue' };
  }

  /** What happens to the next request of this kind. */
  decide(kind: RequestClass): FaultDecision {
    const queued = this.fromQueue(kind);
    if (queued) return queued;
    const applies = kind !== 'token' && (this.config.appliesTo === 'all' || this.config.appliesTo === `${kind}s`);
    if (!applies) return { latencyMs: 0 };
    let latencyMs = 0;
    const latency = this.config.latency;
    if (latency && this.random() < latency.probability) {
      latencyMs = latency.minMs + Math.floor(this.random() * (latency.maxMs - latency.minMs + 1));
    }
    const draw = this.random();
    let cumulative = 0;
    for (const action of FAULT_ACTIONS) {
      cumulative += this.config.probabilities[action] ?? 0;
      if (draw < cumulative) return { action, latencyMs, source: 'random' };
    }
    return { latencyMs };
  }
}
