import { acknowledgerName, type Incident } from '#common/index.js';

/**
 * "Is it one of these? SRE already knows." While someone types a page summary we compare it with
 * the open incidents by shared words. Plain token overlap is enough: incident titles are short, and
 * a false hint costs one click ("This is different — continue") while a missed one costs a
 * duplicate page at 3 a.m.
 */

// Words that say nothing about *what* is broken.
const STOP_WORDS = new Set(
  'a an and are as at be been being but by can cannot could did do does down for from had has have having how i in into is isnt it its just me my no not now of on or our out please seems so some than that the their them then there these they this to too up very was we were what when where which while who why will with would you your all any get getting got help issue issues problem problems urgent still again everyone everybody anyone someone user people seem fail broken work look'.split(
    ' ',
  ),
);

/** Lower-cased content words of a text, with a light plural/verb ending strip so "errors" meets "error". */
export function contentTokens(text: string): Set<string> {
  const out = new Set<string>();
  for (const raw of text
    .toLowerCase()
    .normalize('NFKC')
    .split(/[^\p{L}\p{N}]+/u)) {
    if (raw.length < 2 || STOP_WORDS.has(raw)) continue;
    const word = stem(raw);
    if (!STOP_WORDS.has(word)) out.add(word);
  }
  return out;
}

function stem(w: string): string {
  if (/^\d/.test(w)) return w; // "5xx", "503": leave codes alone
  if (w.length > 5 && w.endsWith('ing')) return w.slice(0, -3);
  if (w.length > 4 && w.endsWith('ed')) return w.slice(0, -2);
  if (w.length > 4 && w.endsWith('es')) return w.slice(0, -2);
  if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) return w.slice(0, -1);
  return w;
}

/**
 * Overlap coefficient |A∩B| / min(|A|,|B|): a short summary that shares most of its words with a
 * longer title scores high, which is what we want while the person is still typing.
 */
export function similarity(a: string, b: string): number {
  const ta = contentTokens(a);
  const tb = contentTokens(b);
  if (ta.size === 0 || tb.size === 0) return 0;
  let shared = 0;
  for (const t of ta) if (tb.has(t)) shared++;
  return shared / Math.min(ta.size, tb.size);
}

export interface SimilarIncident {
  incident: Incident;
  score: number;
}

/** A third of the shorter text's words: one distinctive shared word in a three-word summary is enough. */
const SIMILARITY_THRESHOLD = 1 / 3;

/** Open incidents whose title looks like `summary`, best first (at most `limit`). */
export function findSimilarIncidents(summary: string, incidents: readonly Incident[], limit = 3): SimilarIncident[] {
  if (contentTokens(summary).size === 0) return [];
  return incidents
    .filter((i) => i.phase !== 'RESOLVED')
    .map((incident) => ({ incident, score: similarity(summary, incident.title) }))
    .filter((m) => m.score >= SIMILARITY_THRESHOLD)
    .sort((x, y) => y.score - x.score || Date.parse(y.incident.startedAt) - Date.parse(x.incident.startedAt))
    .slice(0, limit);
}

/** How a similar incident stands, after its title: "acknowledged by Carol", "not acknowledged yet, SRE is being paged". */
export function similarIncidentStatus(i: Pick<Incident, 'phase' | 'ackedBy' | 'ackedByName'>): string {
  const by = acknowledgerName(i);
  return i.phase === 'ACKED' ? `acknowledged${by ? ` by ${by}` : ''}` : 'not acknowledged yet, SRE is being paged';
}
