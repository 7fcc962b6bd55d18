import { isObj } from './wire.js';

/**
 * Tolerant readers for what escalating and naming people need (docs/splunk-oncall.md#reroute,
 * #users, #policies). As in wire.ts: a field of another type is skipped, never thrown on; a body that
 * is not the expected shape at all gives null.
 */

type Obj = Record<string, unknown>;
const str = (v: unknown): string | null =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null;
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

export interface WireRerouteStatus {
  incidentNumber: string;
  success: boolean;
  message: string;
  /** Per target: whether the service took it, and why not. */
  targets: { slug: string; success: boolean; message: string }[];
}

/** `POST /api-public/v1/incidents/reroute` → `{statuses: [{incidentNumber, success, message, targetStatus}]}`. */
export function readRerouteStatuses(body: unknown): WireRerouteStatus[] | null {
  if (!isObj(body) || !Array.isArray(body.statuses)) return null;
  return list(body.statuses).map((s) => ({
    incidentNumber: str(s.incidentNumber) ?? '',
    success: s.success === true,
    message: typeof s.message === 'string' ? s.message : '',
    targets: list(s.targetStatus).map((t) => ({
      slug: str(t.slug) ?? '',
      success: t.success === true,
      message: typeof t.message === 'string' ? t.message : '',
    })),
  }));
}

/** `GET /api-public/v2/user` → username → display name (first and last name when it has none). */
export function readUserDisplayNames(body: unknown): Map<string, string> | null {
  if (!isObj(body) || !Array.isArray(body.users)) return null;
  const out = new Map<string, string>();
  for (const u of list(body.users)) {
    const username = str(u.username);
    if (!username) continue;
    const name = str(u.displayName) ?? ([str(u.firstName), str(u.lastName)].filter(Boolean).join(' ') || null);
    if (name) out.set(username, name);
  }
  return out;
}

/** `GET /api-public/v1/policies/{slug}` → its `{name, slug}` (the steps are not needed here). */
export function readPolicyRef(body: unknown): { slug: string; name: string } | null {
  if (!isObj(body)) return null;
  const slug = str(body.slug);
  return slug ? { slug, name: str(body.name) ?? slug } : null;
}
