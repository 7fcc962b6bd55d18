/**
 * Who an incident pages, and when (docs/splunk-oncall.md#policies). Each targeted policy runs its
 * steps in order, each `timeout` minutes after the previous one (0 = at once). When a step runs, a
 * rotation-group entry pages whoever is on call in it at that moment, a user entry pages that user, a
 * policy_routing entry starts the named policy from its first step, and an e-mail entry pages nobody.
 * A user targeted directly (create-incident, reroute) is paged at once.
 */
import type { OrgDirectory } from './org.js';

/** Where an incident was sent: the routing key's policies, or the targets of create-incident or reroute. */
export interface Targets {
  policies: string[];
  users: string[];
}

/** One policy (or direct user) being worked through for one incident. */
export interface PolicyRun {
  /** The target this run belongs to: a targeted policy's slug, or `directUserPolicySlug-<user>`. */
  responder: string;
  /** The policy whose steps run here; null for a user targeted directly. */
  policySlug: string | null;
  /** When the last step ran (or the run started); the next step is due `timeout` minutes later. */
  lastStepAt: number;
  nextStep: number;
  /** Everyone this run has paged so far. */
  paged: string[];
  /** Set when its responder acknowledged (multi-responder): it pages nobody any more. */
  stopped: boolean;
}

export const directUserSlug = (username: string): string => `directUserPolicySlug-${username}`;

export function startRuns(targets: Targets, at: number): PolicyRun[] {
  return [
    ...targets.policies.map((slug) => run(slug, slug, at)),
    ...targets.users.map((u) => ({ ...run(directUserSlug(u), null, at), paged: [u] })),
  ];
}

function run(responder: string, policySlug: string | null, at: number): PolicyRun {
  return { responder, policySlug, lastStepAt: at, nextStep: 0, paged: [], stopped: false };
}

/** Runs every step that is due by `now`, oldest first; a policy started on the way runs too. */
export function advanceRuns(org: OrgDirectory, runs: PolicyRun[], now: number): void {
  // `runs` grows while it is walked: policy_routing appends the policy it starts.
  for (let k = 0; k < runs.length; k++) {
    const r = runs[k]!;
    const policy = r.policySlug === null ? undefined : org.policy(r.policySlug);
    if (!policy) continue;
    while (!r.stopped && r.nextStep < policy.steps.length) {
      const step = policy.steps[r.nextStep]!;
      const dueAt = r.lastStepAt + step.timeout * 60_000;
      if (dueAt > now) break;
      r.lastStepAt = dueAt;
      r.nextStep++;
      for (const e of step.entries) {
        if (e.executionType === 'rotation_group') page(r, org.rotation(e.rotationSlug)?.onCallNow ?? []);
        else if (e.executionType === 'user') page(r, [e.username]);
        else if (e.executionType === 'policy_routing') {
          // A policy reached twice for one target (a loop of policy_routing entries) runs once.
          if (!runs.some((o) => o.responder === r.responder && o.policySlug === e.policySlug))
            runs.push(run(r.responder, e.policySlug, dueAt));
        }
      }
    }
  }
}

function page(r: PolicyRun, users: string[]): void {
  for (const u of users) if (!r.paged.includes(u)) r.paged.push(u);
}

/** Who the runs are paging now: everyone paged by a run that has not stopped, without duplicates. */
export function beingPaged(runs: PolicyRun[]): string[] {
  return [...new Set(runs.filter((r) => !r.stopped).flatMap((r) => r.paged))];
}
