import { existsSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtAfterSources } from '../../gateway/threads/built.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The folders `tsc -p tsconfig.json` compiles into dist/. */
const BUILT = ['gateway', 'firmware-sim'];

/**
 * How to run a TypeScript entry point of the gateway or the simulator in a child process:
 * `node dist/<path>.js` when dist/ is newer than every source file (what `npm test` builds first,
 * and what `npm start` runs), else `node --import tsx <path>.ts`. The built file starts in about
 * half the time (no loader thread transforming every import), which matters to a suite that starts
 * a few hundred processes; the fallback keeps a single test file correct after an edit without a build.
 */
export function nodeArgsFor(tsPath: string): string[] {
  const rel = relative(ROOT, resolve(ROOT, tsPath)).replace(/\\/g, '/');
  const built = join(ROOT, 'dist', rel.replace(/\.ts$/, '.js'));
  if (BUILT.some((d) => rel.startsWith(`${d}/`)) && existsSync(built) && builtAfterSources(statSync(built).mtimeMs, BUILT.map((d) => join(ROOT, d)))) return [built];
  return ['--import', 'tsx', join(ROOT, rel)];
}
