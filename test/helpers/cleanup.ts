/**
 * Clean-up that runs last-registered-first. node:test runs `t.after` hooks in the order they were
 * registered, so a test that registers "remove the data directory" before "stop the gateway" would
 * remove files a live gateway is still writing (ENOTEMPTY). Register both here instead: the process
 * started last is stopped first and the directory, registered first, is removed at the very end.
 */
export function cleanupStack(t: { after(fn: () => unknown): void }): (fn: () => unknown) => void {
  const steps: (() => unknown)[] = [];
  t.after(async () => {
    const errors: unknown[] = [];
    for (const step of steps.reverse()) {
      try {
        await step();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length > 0) throw errors[0];
  });
  return (fn) => {
    steps.push(fn);
  };
}
