import { rmSync } from 'node:fs';
import { IngestCounters } from '../../../../gateway/ingest/counters.js';
import type { AuthMode } from '../../../../gateway/ingest/auth.js';
import type { SessionContext } from '../../../../gateway/ingest/session/session.js';
import { SessionRegistry } from '../../../../gateway/ingest/sessions.js';
import type { Logger } from '../../../../gateway/log.js';
import { Store, type StoreSettings } from '../../../../gateway/store/store.js';
import { tempDir } from '../../../helpers/app.js';
import { ManualTimers } from '../../../helpers/manual-timers.js';

const SETTINGS: StoreSettings = {
  file: 'sheetlog.db',
  synchronous: 'OFF',
  busyTimeoutMs: 1000,
  commitDelayMs: 5,
  commitMaxRows: 1000,
  maxBufferRows: 1000,
  retentionHours: 1,
};

/** What a test logger was told at warn level. */
export interface Warned {
  fields: Record<string, unknown>;
  msg: string;
}

/** A logger that keeps its warnings (the session logs limits once each). */
export function recordingLogger(warned: Warned[]): Logger {
  const log = {
    warn: (fields: Record<string, unknown>, msg: string) => warned.push({ fields, msg }),
    info: () => {},
    debug: () => {},
    error: () => {},
    child: () => log,
    isLevelEnabled: () => false,
  };
  return log as unknown as Logger;
}

/**
 * A session context over a real Store in a temp dir, driven by manual timers: `commit()` runs
 * the group commit (and its callbacks) at once. Removed when the test ends.
 */
export function sessionHarness(t: { after: (fn: () => void) => void }, authMode: AuthMode = 'tofu', settings: Partial<StoreSettings> = {}) {
  const dir = tempDir();
  const timers = new ManualTimers();
  const store = Store.open(dir, { ...SETTINGS, ...settings }, timers);
  const warned: Warned[] = [];
  const ctx: SessionContext = {
    store,
    authMode,
    busyRetryAfterMs: 5000,
    counters: new IngestCounters(),
    sessions: new SessionRegistry(),
    log: recordingLogger(warned),
  };
  t.after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  /** Commits what is queued; deferred answers (registration) run a microtask later. */
  const commit = async () => {
    store.committer.flush();
    await new Promise<void>((resolve) => queueMicrotask(resolve));
  };
  return { ctx, store, timers, warned, commit };
}
