import { HEARTBEAT_SECONDS, durationText, secondsUntil, type ClientState } from '#common/index.js';
import { ageSeconds, clockTime } from './relative-time.js';

/**
 * The banner that keeps the incident list honest: a list that is old or cut off must say so,
 * because "All quiet" on stale data is the worst thing Klaxon could show.
 *
 * `text` and `detail` change only when the situation changes, so they go in the live region;
 * `age` ("Data is 42 s old. Reconnecting in 3 s.") ticks every second and must stay out of it,
 * or a screen reader would be interrupted every second.
 */
export interface FreshnessBanner {
  kind: 'offline' | 'stale' | 'connecting';
  /** Headline: announced when it changes. */
  text: string;
  /** Why, and what it means: announced with the headline. */
  detail: string | null;
  /** The ticking part: shown, never announced. */
  age: string | null;
}

export function freshnessBanner(state: Pick<ClientState, 'link' | 'snapshot'>, now: number): FreshnessBanner | null {
  const { link, snapshot } = state;
  const lastUpdate = snapshot?.fetchedAt ?? link.lastDataAt;
  if (link.status === 'offline') {
    const retry = secondsUntil(link.retryAt, now);
    return {
      kind: 'offline',
      text: lastUpdate ? `Offline — last update at ${clockTime(lastUpdate)}` : 'Offline — no data received yet',
      detail: link.error ?? 'The Klaxon server is not reachable.',
      age: [
        lastUpdate ? `Data is ${formatAge(ageSeconds(lastUpdate, now))} old.` : null,
        retry !== null ? `Reconnecting in ${durationText(retry)}.` : 'Reconnecting…',
      ]
        .filter(Boolean)
        .join(' '),
    };
  }
  if (link.status === 'idle' || link.status === 'connecting') {
    return snapshot ? null : { kind: 'connecting', text: 'Connecting to the Klaxon server…', detail: null, age: null };
  }
  // The link can be up while the server's view of On-Call is old (On-Call not answering), or the
  // server can have gone quiet without closing the connection: both make the data stale.
  const silentFor = link.lastDataAt ? ageSeconds(link.lastDataAt, now) : 0;
  const stale = link.status === 'stale' || snapshot?.stale === true || silentFor > 3 * HEARTBEAT_SECONDS;
  if (!stale) return null;
  const age = lastUpdate ? ageSeconds(lastUpdate, now) : null;
  const why =
    snapshot && !snapshot.upstream.ok
      ? (snapshot.upstream.error ?? 'On-Call is not answering the Klaxon server.')
      : link.error;
  return {
    kind: 'stale',
    text: lastUpdate ? `Out of date — last update at ${clockTime(lastUpdate)}` : 'Data may be out of date',
    detail: `${why ? `${why} ` : ''}Incidents opened since then are not shown.`,
    age: age !== null ? `Data is ${formatAge(age)} old.` : null,
  };
}

/** "42 s", "3 min 5 s", "2 h 4 min". */
export function formatAge(s: number): string {
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
