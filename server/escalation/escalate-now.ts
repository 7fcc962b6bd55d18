import {
  acknowledgerName,
  incidentKey,
  type EscalatePageResult,
  type Incident,
  type IncidentBackend,
  type IncidentEscalation,
} from '#common/index.js';
import type { Viewer } from '../auth/viewer.js';
import { HttpError } from '../http/errors.js';
import { decideRate } from '../pages/rate-limit.js';
import { type Clock, systemClock } from '../runtime/clock.js';
import type { EscalationRecord, KlaxonStore } from '../store/store.js';
import { escalateNowRefusal } from './decide.js';
import type { EscalationTarget } from './escalation-target.js';
import type { Rerouter } from './rerouter.js';

const minutes = (ms: number): string => {
  const m = Math.max(1, Math.ceil(ms / 60_000));
  return m === 1 ? 'a minute' : `${m} minutes`;
};

const shown = (r: EscalationRecord): IncidentEscalation => ({
  to: r.policyName,
  at: r.updatedAt.toISOString(),
  reason: r.reason,
  requestedBy: r.requesterName,
  afterMinutes: r.afterMinutes,
});

/** One paging service's escalations, as "Escalate now" uses them. */
export interface EscalatingService {
  name: string;
  target: Pick<EscalationTarget, 'state' | 'check'>;
  rerouter: Pick<Rerouter, 'escalate'>;
}

/**
 * "Escalate now": the person who paged sends their own page's incident on to the fallback policy of
 * the service the page went to,
 * once the page has waited `afterMinutes` unacknowledged. Limited per person (`perHour`, kept in
 * memory: each incident can be escalated only once anyway, and pages have their own limit), audited
 * with the person as actor, sent as the escalation user. Refusals are HttpErrors a person can act on.
 */
export class EscalateNow {
  private readonly clock: Clock;
  private readonly presses = new Map<string, number[]>();

  constructor(
    private readonly deps: {
      config: { manualAfterMinutes: number | null; manualPerHour: number };
      store: Pick<KlaxonStore, 'getPage'>;
      /** An incident by key (common/incident-key.ts), as the server shows it. */
      hub: { findIncident(key: string): Incident | null };
      /** The escalations of the service a page went to; null: that service is not configured. */
      serviceOf(backend: IncidentBackend): EscalatingService | null;
      /** Klaxon's escalation of an incident, by key. */
      escalationOf(key: string): EscalationRecord | null;
      clock?: Clock;
    },
  ) {
    this.clock = deps.clock ?? systemClock;
  }

  async escalate(viewer: Viewer, pageId: string): Promise<EscalatePageResult> {
    const rec = /^[0-9a-f-]{36}$/i.test(pageId) ? await this.deps.store.getPage(pageId.toLowerCase()) : null;
    if (!rec || rec.page.requester.sub !== viewer.sub)
      throw new HttpError(404, 'not_found', 'No page with this id is yours to escalate.');
    const page = rec.page;
    const after = this.deps.config.manualAfterMinutes;
    const service = this.deps.serviceOf(page.backend ?? 'oncall');
    let target = service?.target.state() ?? { kind: 'off' as const };
    if (target.kind === 'checking') target = await service!.target.check();
    if (after === null || target.kind === 'off')
      throw new HttpError(
        409,
        'conflict',
        'This Klaxon server does not escalate pages. Call SRE another way if nobody answers.',
      );
    if (target.kind !== 'ready')
      throw new HttpError(
        503,
        'upstream_unavailable',
        'Klaxon cannot escalate right now (its escalation policy or user is not available). Call SRE another way.',
      );
    const svc = service!.name;
    const now = this.clock.now();
    const key = page.incidentNumber ? incidentKey({ backend: page.backend, number: page.incidentNumber }) : null;
    const incident = key ? this.deps.hub.findIncident(key) : null;
    const refusal = escalateNowRefusal({ page, viewerSub: viewer.sub, incident, now, afterMs: after * 60_000 });
    if (refusal) throw refused(refusal, after);
    const earlier = this.deps.escalationOf(key!);
    if (earlier)
      throw new HttpError(
        409,
        'conflict',
        `Incident #${page.incidentNumber} was already escalated to ${earlier.policyName}; Klaxon escalates an incident only once.`,
      );
    this.limit(viewer.sub, now);
    const outcome = await service!.rerouter.escalate(
      {
        incidentNumber: key!,
        reason: 'requested',
        pageId: page.id,
        requester: { sub: viewer.sub, name: viewer.name, groups: viewer.groups },
      },
      target,
    );
    switch (outcome.kind) {
      case 'rerouted':
        return {
          page,
          escalation: shown(outcome.record),
          message: `Incident #${page.incidentNumber} is escalated to ${target.policy.name}: they are being paged now.`,
        };
      case 'already':
        throw new HttpError(
          409,
          'conflict',
          `Incident #${page.incidentNumber} was already escalated; Klaxon escalates an incident only once.`,
        );
      case 'released':
        throw new HttpError(
          503,
          'upstream_unavailable',
          `${svc} is limiting Klaxon's requests, so nothing was escalated. Try again in a minute, or call SRE another way.`,
        );
      case 'refused':
        throw new HttpError(
          502,
          'upstream_unavailable',
          `${svc} did not escalate incident #${page.incidentNumber}: ${outcome.reason} Call SRE another way.`,
        );
      case 'failed':
        throw new HttpError(
          502,
          'upstream_unavailable',
          `Klaxon could not tell whether ${svc} took the escalation of incident #${page.incidentNumber} (${outcome.reason}); it will not send it again. If nobody answers, call SRE another way.`,
        );
    }
  }

  /** At most `manualPerHour` presses per person in any hour. */
  private limit(sub: string, now: number): void {
    const rule = { max: this.deps.config.manualPerHour, windowSeconds: 3600 };
    const earlier = (this.presses.get(sub) ?? []).filter((t) => t > now - 3600_000);
    const d = decideRate(earlier, rule, now);
    if (!d.allowed)
      throw new HttpError(
        429,
        'rate_limited',
        `You have escalated ${d.count} times in the last hour. If SRE is still not answering, call them another way.`,
        { retryAfterSeconds: d.retryAfterSeconds },
      );
    this.presses.set(sub, [...earlier, now]);
  }
}

function refused(r: NonNullable<ReturnType<typeof escalateNowRefusal>>, after: number): HttpError {
  switch (r.kind) {
    case 'not_yours':
      return new HttpError(404, 'not_found', 'No page with this id is yours to escalate.');
    case 'settled':
      return new HttpError(
        409,
        'conflict',
        `Your page is already ${r.page.status === 'resolved' ? 'resolved' : `acknowledged by ${acknowledgerName(r.page) ?? 'SRE'}`}: no need to escalate.`,
      );
    case 'no_incident':
      return new HttpError(
        409,
        'conflict',
        'Your page has no incident yet, so there is nothing to escalate. If it is urgent, call SRE another way.',
      );
    case 'acknowledged':
      return new HttpError(
        409,
        'conflict',
        `Incident #${r.incident.number} is ${r.incident.phase === 'RESOLVED' ? 'resolved' : `acknowledged by ${acknowledgerName(r.incident) ?? 'SRE'}`}: no need to escalate.`,
      );
    case 'too_early':
      return new HttpError(
        409,
        'conflict',
        `Escalate now is possible ${after} minutes after your page was delivered: in ${minutes(r.waitMs)}.`,
        { retryAfterSeconds: Math.ceil(r.waitMs / 1000) },
      );
  }
}
