import type { Config } from '../../config/schema.js';
import type { SinkStatus } from '../status.js';

/*
 * The messages between the gateway's main thread (host.ts) and the sync thread (run.ts).
 *
 *   main ──workerData: ThreadInit, or init (a thread started early)─▶ thread  (opens its own SQLite
 *   main ──committed (coalesced, carries highestId)─────────────▶ thread   connection, builds the
 *   main ──stop─────────────────────────────────────────────────▶ thread   sinks, runs SyncService)
 *   main ◀──ready | failed (after the sinks' start)───────────────── thread
 *   main ◀──cursor (per advance, after it is in SQLite)──────────── thread
 *   main ◀──status (snapshot: on change, at most 4 per second)───── thread
 *   main ◀──log (one pino line, re-logged by the main logger)────── thread
 *   main ◀──stopped (sinks closed, connection closed)────────────── thread
 */

export interface ThreadInit {
  config: Config;
  /** The main logger's level: the thread logs at the same one. */
  logLevel: string;
  /** The store's highest reading id when the thread was started. */
  highestId: number;
}

/**
 * What a sync thread is started with: its ThreadInit, or (a thread started early, spawn.ts) the
 * word to wait for an `init` message, its first, before it opens anything.
 */
export type ThreadStart = ThreadInit | { waitForInit: true };

export type ToThread = { type: 'init'; init: ThreadInit } | { type: 'committed'; highestId: number } | { type: 'stop'; timeoutMs: number };

export type FromThread =
  | { type: 'ready'; status: SinkStatus[] }
  | { type: 'failed'; error: string }
  | { type: 'cursor'; sink: string; lastId: number }
  | { type: 'status'; status: SinkStatus[] }
  | { type: 'log'; line: string }
  | { type: 'stopped'; status: SinkStatus[] };
