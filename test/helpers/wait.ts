/**
 * Waits until `pred()` holds, checking once per event-loop turn (no fixed sleeps), and fails
 * after `timeoutMs` so a broken gateway fails the test instead of hanging it.
 */
export async function waitFor(pred: () => boolean, what: string, timeoutMs = 60000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
