/**
 * Short relative times for a glance ("just now", "4 min ago"). Callers re-render on a ticker so the
 * text stays current; a time slightly in the future (clock skew between laptop and server) reads
 * as "just now" rather than something alarming.
 */
export function relativeTime(iso: string, now: number): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return 'at an unknown time';
  const s = Math.floor((now - then) / 1000);
  if (s < 10) return 'just now';
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 || h >= 6 ? `${h} h ago` : `${h} h ${m % 60} min ago`;
  const d = Math.floor(h / 24);
  return d === 1 ? 'yesterday' : `${d} days ago`;
}

/** Whole seconds between an ISO time and now, never negative. */
export function ageSeconds(iso: string, now: number): number {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return 0;
  return Math.max(0, Math.floor((now - then) / 1000));
}

/** "14:05" in the viewer's own time zone (or the given one). */
export function clockTime(iso: string | number, timeZone?: string): string {
  const d = typeof iso === 'number' ? new Date(iso) : new Date(iso);
  return new Intl.DateTimeFormat('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
    ...(timeZone ? { timeZone } : {}),
  }).format(d);
}
