/**
 * One-at-a-time runs of an async task, for work that must never overlap (opening the event stream
 * after a sign-in or a restored session). A call while a run is going waits for it; every call that
 * arrives meanwhile shares ONE further run, with the newest argument. So "restore and sign-in at the
 * same moment" gives two runs in a row, never two at once, and a burst of calls never queues up.
 */
export function serialTask<A, T>(task: (arg: A) => Promise<T>): (arg: A) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  let waiting: { arg: A; promise: Promise<T> } | null = null;
  return (arg) => {
    if (waiting) {
      waiting.arg = arg;
      return waiting.promise;
    }
    const slot = { arg } as { arg: A; promise: Promise<T> };
    slot.promise = tail.then(() => {
      waiting = null; // from here on, new calls queue behind this run
      return task(slot.arg);
    });
    waiting = slot;
    tail = slot.promise.catch(() => undefined);
    return slot.promise;
  };
}
