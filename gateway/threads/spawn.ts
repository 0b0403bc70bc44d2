import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread on `entry`: its compiled `.js` when the caller runs from dist/, its `.ts`
 * under tsx (tests, scripts run from sources). Node 20 does not carry tsx's loader into worker
 * threads (tsx registers its hooks on the main thread only there, whatever execArgv says), so a tiny
 * bootstrap registers tsx in the thread, then imports the entry. The thread's execArgv drops
 * `--import tsx`, so that a Node whose tsx does register in workers does not get the hooks twice.
 */
export function spawnWorker(caller: string, entry: { js: string; ts: string }, options: WorkerOptions): Worker {
  if (!caller.endsWith('.ts')) return new Worker(new URL(entry.js, caller), options);
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
