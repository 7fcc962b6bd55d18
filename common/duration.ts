/**
 * How long until something happens, as a person takes it in at a glance: exact seconds under a
 * minute ("in 8 s", worth counting down), rounded above it ("in about 4 minutes", never "254 s").
 * The one wording for every wait Klaxon announces: the next delivery attempt, when paging is allowed
 * again, the next reconnect, an unsent page's next try.
 */
export function durationText(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return minutes === 1 ? 'about a minute' : `about ${minutes} minutes`;
  const hours = Math.round(s / 3600);
  return hours === 1 ? 'about an hour' : `about ${hours} hours`;
}

/** Whole seconds from `now` until an ISO time, never negative; null when there is no such time. */
export function secondsUntil(iso: string | null, now: number): number | null {
  if (!iso) return null;
  const at = Date.parse(iso);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}
