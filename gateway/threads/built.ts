import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Whether a build made at `builtAt` (epoch ms) is newer than every `.ts` file under `dirs`: then
 * dist/ holds what the sources say, and running it skips the tsx loader. Used when code runs
 * from sources (tests, scripts): gateway/threads/spawn.ts for worker threads,
 * test/helpers/entry.ts for child processes.
 */
export function builtAfterSources(builtAt: number, dirs: readonly string[]): boolean {
  const stack = [...dirs];
  while (stack.length > 0) {
    const dir = stack.pop() as string;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.name.endsWith('.ts') && statSync(p).mtimeMs > builtAt) return false;
    }
  }
  return true;
}
