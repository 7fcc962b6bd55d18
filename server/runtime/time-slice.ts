/**
 * Long synchronous work on the event loop (reading a list of a thousand incidents, following a
 * thousand pages) would hold up everything queued behind it, a page being accepted included. A
 * TimeSlicer splits such loops: call `due()` between items and, when it says so, `await
 * yieldNow()`, which lets pending I/O (incoming requests) run before the loop goes on.
 */
export class TimeSlicer {
  private sliceStartedAt = performance.now();

  /** budgetMs: the longest the loop may hold the event loop between two yields. */
  constructor(private readonly budgetMs = DEFAULT_SLICE_MS) {}

  /** True when the current slice has used its budget. Cheap enough to call for every item. */
  due(): boolean {
    return performance.now() - this.sliceStartedAt >= this.budgetMs;
  }

  /** Lets queued I/O callbacks run (setImmediate runs after the poll phase), then starts a new slice. */
  async yieldNow(): Promise<void> {
    await yieldToIo();
    this.sliceStartedAt = performance.now();
  }
}

/** Resolves after pending I/O callbacks have run (setImmediate runs after the poll phase). */
export const yieldToIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A few milliseconds: short next to the 20 ms a page accept may take, long enough to get work done. */
const DEFAULT_SLICE_MS = 3;
