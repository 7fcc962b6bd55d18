/**
 * The one way tests wait: polls `fn` until it returns something truthy (returned) or the time runs
 * out (throws, naming what was awaited and the last error `fn` threw). Waiting on a real stack
 * cannot be exact, so tests wait for what a user would see rather than sleeping a guessed time.
 */
export async function waitFor<T>(
  what: string,
  fn: () => T | Promise<T>,
  timeoutMs = 20_000,
  everyMs = 25,
): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
