import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { builtAfterSources } from './built.js';

/**
 * Starts a worker thread on `entry`: its compiled `.js` when the caller runs from dist/, its `.ts`
 * under tsx (tests, scripts run from sources). Node 20 does not carry tsx's loader into worker
 * threads (tsx registers its hooks on the main thread only there, whatever execArgv says), so a tiny
 * bootstrap registers tsx in the thread, then imports the entry. The thread's execArgv drops
 * `--import tsx`, so that a Node whose tsx does register in workers does not get the hooks twice.
 */
export function spawnWorker(caller: string, entry: { js: string; ts: string }, options: WorkerOptions): Worker {
  if (!caller.endsWith('.ts')) return new Worker(new URL(entry.js, caller), options);
  const built = builtEntry(caller, entry.ts);
  if (built !== null) return new Worker(built, { ...options, execArgv: withoutTsx(process.execArgv) });
  const tsx = import.meta.resolve('tsx/esm/api');
  const href = new URL(entry.ts, caller).href;
  const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(href)}); });`;
  return new Worker(boot, { ...options, eval: true, execArgv: withoutTsx(process.execArgv) });
}

function withoutTsx(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if ((a === '--import' || a === '--loader') && args[i + 1] === 'tsx') i++;
    else if (a !== '--import=tsx' && a !== '--loader=tsx') out.push(a);
  }
  return out;
}

/**
 * The compiled entry in dist/ for a `.ts` entry run from sources, when dist/ was built after every
 * source file of the gateway changed (`npm test` builds it first); else null. A thread started
 * from it skips the tsx loader, which transforms every module the thread imports: ~0.1 s instead
 * of ~0.7 s per start, which a test suite starting a gateway a hundred times feels.
 */
function builtEntry(caller: string, ts: string): URL | null {
  const source = fileURLToPath(new URL(ts, caller));
  const gatewayDir = fileURLToPath(new URL('..', import.meta.url));
  const root = dirname(gatewayDir);
  const built = join(root, 'dist', relative(root, source).replace(/\.ts$/, '.js'));
  if (!existsSync(built)) return null;
  return builtAfterSources(statSync(built).mtimeMs, [gatewayDir]) ? pathToFileURL(built) : null;
}
