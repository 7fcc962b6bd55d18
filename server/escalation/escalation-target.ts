import type { EscalationOffer, IncidentBackend } from '#common/index.js';
import type { PagingBackend, PolicyRef } from '../backends/paging-backend.js';
import type { EscalationSettings } from '../backends/paging-services.js';
import type { Metrics } from '../http/metrics.js';
import { type Logger, silentLogger } from '../runtime/logger.js';

export type TargetState =
  /** No fallback policy for this service (`escalation.policy`, `pagerduty.escalation.policy`): never escalated. */
  | { kind: 'off' }
  /** Not known yet whether the user and the policy exist (the service did not answer). */
  | { kind: 'checking' }
  | { kind: 'ready'; policy: PolicyRef; asUser: string }
  /** The user or the policy does not exist: nothing is sent until the next check finds both. */
  | { kind: 'stopped'; reason: string };

/**
 * Where Klaxon escalates one paging service's incidents to (its fallback policy) and as whom, checked
 * with that service at start and again after an escalation fails: an escalation to a policy or as a
 * user that does not exist would silently reach nobody, so then that service's escalations stop with
 * one clear log line instead.
 */
export class EscalationTarget {
  private current: TargetState;
  private readonly log: Logger;
  private checking: Promise<TargetState> | null = null;

  constructor(
    private readonly deps: {
      config: { manualAfterMinutes: number | null };
      /** The service's policy and user, with the config keys that set them (server/backends/paging-services.ts). */
      settings: Pick<EscalationSettings, 'policy' | 'asUser' | 'policyKey' | 'asUserKey'>;
      service: { id: IncidentBackend; name: string };
      backend: Pick<PagingBackend, 'userExists' | 'findPolicy'>;
      metrics?: Pick<Metrics, 'escalatorUp'> | null;
      logger?: Logger;
    },
  ) {
    this.log = deps.logger ?? silentLogger;
    this.current = deps.settings.policy && deps.settings.asUser ? { kind: 'checking' } : { kind: 'off' };
  }

  state(): TargetState {
    return this.current;
  }

  /** What clients may offer ("Escalate now"): only once the policy and user are known to exist. */
  offer(): EscalationOffer | null {
    const s = this.current;
    const after = this.deps.config.manualAfterMinutes;
    if (after === null || s.kind !== 'ready') return null;
    return { policyName: s.policy.name, manualAfterMinutes: after };
  }

  /**
   * Waits (at most `ms`) for the check in progress, starting one while it is still unknown whether
   * the user and policy exist (the service did not answer before), so that clients asking just after
   * start, or after an outage, are told what is offered.
   */
  async settled(ms: number): Promise<void> {
    const pending = this.checking ?? (this.current.kind === 'checking' ? this.check() : null);
    if (!pending) return;
    await Promise.race([pending, new Promise((r) => setTimeout(r, ms).unref())]).catch(() => undefined);
  }

  /** Asks the service whether the user and the policy exist (one check at a time). */
  check(): Promise<TargetState> {
    if (this.current.kind === 'off') return Promise.resolve(this.current);
    this.checking ??= this.runCheck().finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  private async runCheck(): Promise<TargetState> {
    const { policyKey, asUserKey } = this.deps.settings;
    const policyId = this.deps.settings.policy!;
    const asUser = this.deps.settings.asUser!;
    const svc = this.deps.service.name;
    let next: TargetState;
    try {
      const [user, policy] = await Promise.all([
        this.deps.backend.userExists(asUser),
        this.deps.backend.findPolicy(policyId),
      ]);
      if (user === false)
        next = {
          kind: 'stopped',
          reason: `the ${svc} user "${asUser}" (${asUserKey}) does not exist; create it or set ${asUserKey} to an existing user`,
        };
      else if (policy === null)
        next = {
          kind: 'stopped',
          reason: `the ${svc} escalation policy "${policyId}" (${policyKey}) does not exist; set ${policyKey} to the id of an existing policy`,
        };
      else if (user === null) next = { kind: 'checking' };
      else next = { kind: 'ready', policy, asUser };
    } catch (e) {
      this.log.warn(
        { error: e instanceof Error ? e.message : String(e) },
        `could not check the ${svc} escalation policy and user; its escalations wait until ${svc} answers`,
      );
      next = this.current.kind === 'ready' ? this.current : { kind: 'checking' };
    }
    this.set(next);
    return next;
  }

  private set(next: TargetState): void {
    const before = this.current;
    this.current = next;
    const { id, name } = this.deps.service;
    this.deps.metrics?.escalatorUp.set({ service: id }, next.kind === 'ready' ? 1 : 0);
    if (next.kind === 'stopped' && (before.kind !== 'stopped' || before.reason !== next.reason))
      this.log.error({ escalation: true, service: id }, `Klaxon's escalations are stopped: ${next.reason}.`);
    if (next.kind === 'ready' && before.kind !== 'ready')
      this.log.info(
        { escalation: true, service: id, policy: next.policy.id, asUser: next.asUser },
        `Klaxon escalates ${name} incidents to "${next.policy.name}" as ${next.asUser}`,
      );
  }
}
