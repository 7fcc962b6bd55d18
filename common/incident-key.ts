import { z } from 'zod/mini';

/**
 * The paging services a Klaxon server can page through. An incident, a page and a target each live
 * on one of them, and incident numbers are only unique within one service: PagerDuty's #1043 and
 * On-Call's #1043 are two incidents.
 */
export const IncidentBackend = z.enum(['oncall', 'pagerduty']);
export type IncidentBackend = z.infer<typeof IncidentBackend>;

/** How people name each service in Klaxon's words ("Open in PagerDuty", "On-Call is paging"). */
const SERVICE_NAMES: Record<IncidentBackend, string> = { oncall: 'On-Call', pagerduty: 'PagerDuty' };

/** The name of the service an incident or page lives on; absent means On-Call (servers before PagerDuty). */
export const serviceName = (backend: IncidentBackend | undefined): string => SERVICE_NAMES[backend ?? 'oncall'];

/**
 * An incident's identity across services, as one string: `pagerduty:1043`. On-Call's incidents keep
 * their bare number (`1043`), the identity they had before a second service existed, so an On-Call-only
 * server, older clients and the URLs they use see no change; no PagerDuty key can equal an On-Call one.
 */
export function incidentKey(i: { backend?: IncidentBackend | undefined; number: string }): string {
  return !i.backend || i.backend === 'oncall' ? i.number : `${i.backend}:${i.number}`;
}

/** An incident key as clients send it: a bare number (On-Call, or a server's only service) or `<service>:<number>`. */
export const IncidentKey = z
  .string()
  .check(
    z.regex(
      /^(?:(?:oncall|pagerduty):)?\d{1,12}$/,
      'must be an incident number, optionally after its service (pagerduty:1043)',
    ),
  );

/** The parts of an incident key; `backend` is null for a bare number. Null when it is no key at all. */
export function parseIncidentKey(key: string): { backend: IncidentBackend | null; number: string } | null {
  const m = /^(?:(oncall|pagerduty):)?(\d{1,12})$/.exec(key);
  if (!m) return null;
  return { backend: (m[1] as IncidentBackend | undefined) ?? null, number: m[2]! };
}
