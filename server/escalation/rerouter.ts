import { parseIncidentKey, type EscalationReason, type IncidentBackend } from '#common/index.js';
import type { PagingBackend, PolicyRef } from '../backends/paging-backend.js';
import { UpstreamError } from '../backends/upstream-error.js';
import type { Metrics } from '../http/metrics.js';
import { type Clock, systemClock } from '../runtime/clock.js';
import { type Logger, silentLogger } from '../runtime/logger.js';
import type { LeaderFence } from '../cluster/leadership.js';
import type { AuditEntry, EscalationRecord, KlaxonStore } from '../store/store.js';

export interface EscalationRequest {
  /** The incident's key (common/incident-key.ts: On-Call's bare `1043`, `pagerduty:7`): escalations are recorded by it. */
  incidentNumber: string;
  reason: EscalationReason;
  pageId?: string | null;
  /** The person who asked (`requested`). */
  requester?: { sub: string; name: string; groups: readonly string[] } | null;
  afterMinutes?: number | null;
}

export type EscalationOutcome =
  | { kind: 'rerouted'; record: EscalationRecord }
  /** Claimed before (here or by another replica): never sent twice. */
  | { kind: 'already' }
  | { kind: 'refused'; record: EscalationRecord | null; reason: string }
  /** No answer: whether the service took it is unknown, so it is not sent again. */
  | { kind: 'failed'; record: EscalationRecord | null; reason: string }
  /** Certainly not processed (the service was limiting requests): the claim is dropped, a later run may try. */
  | { kind: 'released'; reason: string };

/**
 * Sends one incident of one paging service on to its fallback policy, at most once per incident ever: the claim is
 * written to the store before the request goes out, so a crash or a second replica cannot send it
 * again (at the price that a crash between the two leaves it unsent; the claim stays `sending`,
 * visible in the audit log). Every step is audited and counted.
 */
export class Rerouter {
  private readonly clock: Clock;
  private readonly log: Logger;

  constructor(
    private readonly deps: {
      store: Pick<KlaxonStore, 'claimEscalation' | 'settleEscalation' | 'releaseEscalation'>;
      backend: Pick<PagingBackend, 'reroute'>;
      /** The paging service `backend` talks to (metrics, messages). */
      service: { id: IncidentBackend; name: string };
      /** Hears of every claim and settlement (the presenter shows done ones on the incident). */
      onRecord?(record: EscalationRecord): void;
      /** An escalation was refused or failed: the target is checked again (its user or policy may be gone). */
      onTrouble?(): void;
      metrics?: Pick<Metrics, 'escalations'> | null;
      clock?: Clock;
      logger?: Logger;
    },
  ) {
    this.clock = deps.clock ?? systemClock;
    this.log = deps.logger ?? silentLogger;
  }

  /**
   * `fence`: the leader's, when the escalator (a singleton job) escalates: the claim and the
   * settlement are refused with FencedOut once another replica leads (server/cluster/leadership.ts).
   * "Escalate now" is a person's request on whichever replica they reach: no fence.
   */
  async escalate(
    req: EscalationRequest,
    to: { policy: PolicyRef; asUser: string },
    fence: LeaderFence | null = null,
  ): Promise<EscalationOutcome> {
    const fenced = fence ? { fence } : {};
    const now = new Date(this.clock.now());
    const n = req.incidentNumber;
    const svc = this.deps.service.name;
    const record: EscalationRecord = {
      incidentNumber: n,
      reason: req.reason,
      policy: to.policy.id,
      policyName: to.policy.name,
      asUser: to.asUser,
      pageId: req.pageId ?? null,
      requesterSub: req.requester?.sub ?? null,
      requesterName: req.requester?.name ?? null,
      afterMinutes: req.afterMinutes ?? null,
      status: 'sending',
      message: null,
      createdAt: now,
      updatedAt: now,
    };
    const detail = { incident: n, reason: req.reason, policy: to.policy.id, asUser: to.asUser };
    if (!(await this.deps.store.claimEscalation(record, this.audit('escalation.claimed', req, detail), fenced))) {
      this.count(req, 'already');
      return { kind: 'already' };
    }
    this.deps.onRecord?.(record);
    let accepted: boolean;
    let reason: string | null;
    try {
      // The service knows its incidents by their own number (`pagerduty:7` is PagerDuty's 7).
      const number = parseIncidentKey(n)?.number ?? n;
      ({ accepted, reason } = await this.deps.backend.reroute(to.asUser, number, to.policy.id));
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      if (e instanceof UpstreamError && e.kind === 'rate_limited') {
        await this.deps.store.releaseEscalation(n, this.audit('escalation.released', req, { ...detail, error: why }));
        this.count(req, 'released');
        return { kind: 'released', reason: why };
      }
      // Refused outright (unknown user, bad credentials) or no answer: either way not sent again.
      const status = e instanceof UpstreamError && !e.retryable ? 'refused' : 'failed';
      const settled = await this.settle(fenced, n, status, why, req, detail);
      this.log.error({ incident: n, reason: req.reason, error: why }, `escalation of incident #${n} ${status}`);
      this.deps.onTrouble?.();
      return { kind: status, record: settled, reason: why };
    }
    if (!accepted) {
      const why = reason ?? `${svc} gave no reason`;
      const settled = await this.settle(fenced, n, 'refused', why, req, detail);
      this.log.error({ incident: n, reason: req.reason, error: why }, `${svc} refused to escalate incident #${n}`);
      this.deps.onTrouble?.();
      return { kind: 'refused', record: settled, reason: why };
    }
    const settled = await this.settle(fenced, n, 'done', null, req, detail);
    this.log.info(
      { incident: n, reason: req.reason, policy: to.policy.id },
      `incident #${n} escalated to ${to.policy.name}`,
    );
    return { kind: 'rerouted', record: settled ?? { ...record, status: 'done' } };
  }

  private async settle(
    fenced: { fence?: LeaderFence },
    n: string,
    status: 'done' | 'refused' | 'failed',
    message: string | null,
    req: EscalationRequest,
    detail: Record<string, unknown>,
  ): Promise<EscalationRecord | null> {
    this.count(req, status === 'done' ? 'rerouted' : status);
    const audit = this.audit(`escalation.${status}`, req, { ...detail, ...(message ? { error: message } : {}) });
    const settled = await this.deps.store.settleEscalation(
      n,
      { status, message, at: new Date(this.clock.now()) },
      audit,
      fenced,
    );
    if (settled) this.deps.onRecord?.(settled);
    return settled;
  }

  private audit(action: string, req: EscalationRequest, detail: Record<string, unknown>): AuditEntry {
    return {
      at: new Date(this.clock.now()),
      actorSub: req.requester?.sub ?? null,
      actorName: req.requester?.name ?? null,
      // The groups on the person's token when they asked (the access review shows them).
      actorGroups: req.requester ? [...req.requester.groups] : null,
      action,
      pageId: req.pageId ?? null,
      detail,
    };
  }

  private count(req: EscalationRequest, outcome: string): void {
    this.deps.metrics?.escalations.inc({ service: this.deps.service.id, reason: req.reason, outcome });
  }
}
