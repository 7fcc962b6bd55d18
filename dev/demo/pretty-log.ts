/**
 * The demo's server log, for a person watching a terminal: pino's JSON lines become one short line
 * each ("14:05:12 WARN  page delivery failed; retrying · attempts=2 reason=…"), per-request lines are
 * dropped, a message that repeats is shown once per half minute with a count, and once the log goes
 * quiet a one-line reminder of the URLs and accounts follows, so they never scroll out of reach.
 * Only `npm start` uses it; the server's own default stays JSON (what log collectors read).
 */

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** pino's own fields and Fastify's request bookkeeping: not what a person watching the demo needs. */
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'reqId', 'req', 'res', 'responseTime']);
/** Fastify logs every request twice at info; the demo shows what happened, not the traffic. */
const REQUEST_MESSAGES = new Set(['incoming request', 'request completed']);

interface PinoLine {
  level?: number;
  time?: number;
  msg?: string;
  [key: string]: unknown;
}

const two = (n: number) => String(n).padStart(2, '0');
const clock = (ms: number) => {
  const d = new Date(ms);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
};

function fieldText(v: unknown): string {
  if (v !== null && typeof v === 'object' && 'message' in v) return fieldText((v as { message: unknown }).message);
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  const short = s.length > 120 ? `${s.slice(0, 117)}…` : s;
  return typeof v === 'string' && /\s/.test(short) ? JSON.stringify(short) : short;
}

function parse(line: string): PinoLine | null {
  try {
    const entry = JSON.parse(line) as unknown;
    return typeof entry === 'object' && entry !== null ? (entry as PinoLine) : null;
  } catch {
    return null;
  }
}

/** One pino JSON line as a person reads it, or null for a line the demo leaves out. Not JSON: as it is. */
export function formatLogLine(line: string): string | null {
  const text = line.trim();
  if (!text) return null;
  const entry = parse(text);
  if (!entry) return text;
  if (REQUEST_MESSAGES.has(entry.msg ?? '')) return null;
  const level = (LEVELS[entry.level ?? 30] ?? 'INFO').padEnd(5);
  const fields = Object.entries(entry)
    .filter(([k, v]) => !HIDDEN.has(k) && v !== undefined && v !== null)
    .map(([k, v]) => `${k}=${fieldText(v)}`);
  const time = clock(typeof entry.time === 'number' ? entry.time : Date.now());
  return `${time} ${level} ${entry.msg ?? ''}${fields.length ? ` · ${fields.join(' ')}` : ''}`;
}

interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface DemoLogOptions {
  print(line: string): void;
  /** Printed once the log has been quiet for `quietMs` after printing something. */
  reminder: string;
  quietMs?: number;
  /** The same message is shown at most once per this many ms; the ones in between are counted. */
  repeatMs?: number;
  timers?: Timers;
}

/** A pino destination (`{ write }`) that prints pretty, quiet lines and the reminder. */
export function createDemoLog(o: DemoLogOptions): { write(chunk: string): void; stop(): void } {
  const timers = o.timers ?? realTimers;
  const quietMs = o.quietMs ?? 3000;
  const repeatMs = o.repeatMs ?? 30_000;
  const seen = new Map<string, { at: number; skipped: number }>();
  let reminder: unknown = null;
  let stopped = false;
  let partial = '';

  function show(line: string, key: string) {
    const now = timers.now();
    const last = seen.get(key);
    if (last && now - last.at < repeatMs) {
      last.skipped++;
      return;
    }
    const more = last?.skipped ? ` (${last.skipped} more like it since ${clock(last.at)})` : '';
    seen.set(key, { at: now, skipped: 0 });
    o.print(`${line}${more}`);
    if (reminder !== null) timers.clearTimeout(reminder);
    if (stopped) return; // shutting down: "Stopped." is the last line
    reminder = timers.setTimeout(() => {
      reminder = null;
      o.print(o.reminder);
    }, quietMs);
  }

  return {
    write(chunk) {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const raw of lines) {
        const line = formatLogLine(raw);
        if (line === null) continue;
        // Level and message without the time and fields: what "the same message again" means.
        const entry = parse(raw.trim());
        show(line, entry ? `${entry.level ?? 30} ${entry.msg ?? ''}` : line);
      }
    },
    /** No more reminders (the demo is stopping); log lines still print. */
    stop() {
      stopped = true;
      if (reminder !== null) timers.clearTimeout(reminder);
      reminder = null;
    },
  };
}
