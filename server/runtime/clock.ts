/**
 * The slice of a pino/Fastify logger the live parts (client, hub, event stream) use. Kept minimal
 * so tests can pass a recording logger and core can pass `app.log` unchanged.
 */
export interface LiveLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const silentLogger: LiveLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** Time source, injectable so tests can drive backoff, staleness and expiry without waiting. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // Background timers (polling, heartbeats) must never keep a stopping process alive.
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export const sleepOn = (clock: Clock, ms: number): Promise<void> =>
  ms <= 0 ? Promise.resolve() : new Promise((resolve) => clock.setTimeout(resolve, ms));
