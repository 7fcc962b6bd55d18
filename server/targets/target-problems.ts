import type { EscalationPlan, TargetMuting, TargetProblem } from '#common/index.js';
import type { ActiveMute, TargetEscalation } from '../backends/paging-backend.js';

/** A problem with a configured target: `message` for the person paging, `detail` for the operator. */
export interface FoundProblem extends TargetProblem {
  /** The configuration key to fix: `targets.<i>.routingKey`. */
  configKey: string;
  /** For the operator: names the configuration key and what to do. */
  detail: string;
}

/**
 * Problems that stop the start when `targetChecks.atStart` is `refuse`: mistakes in the set-up. An
 * empty rotation right now is not one (business-hours rotations are empty every night); it is reported
 * like the others but never refuses a start.
 */
export const isSetupProblem = (p: TargetProblem): boolean => p.kind !== 'nobody_on_call_now';

const quoted = (names: string[]): string => names.map((n) => `"${n}"`).join(', ');
const TELL = 'Tell the Klaxon operator.';

/**
 * What is wrong with a target, given what the paging service said about its routing key. Checked in
 * this order: the key is unknown, known only in other capitals, not lower case, pages no policy,
 * pages no person in any first step, or only rotations nobody is on call in right now.
 */
export function targetProblem(
  routingKey: string,
  configKey: string,
  esc: TargetEscalation,
  service = 'On-Call',
): FoundProblem | null {
  const route = esc.routesAs ? ` ("${esc.routesAs}")` : '';
  // Routing keys with a default route and letter-case rules are On-Call's; another service's target
  // is its integration key on a named service (targets[].service), which either exists or not.
  if (service !== 'On-Call') return otherServiceProblem(service, routingKey, configKey, esc);
  if (esc.match === 'unknown')
    return {
      kind: 'unknown_target',
      configKey,
      message: `On-Call does not know this target's routing key, so a page goes to On-Call's default route${route} instead. ${TELL}`,
      detail: `${configKey}: On-Call has no routing key "${routingKey}"; pages to it go to the default route${route}. Use a routing key On-Call lists.`,
    };
  if (esc.match === 'case_only')
    return {
      kind: 'case_mismatch',
      configKey,
      message: `This target's routing key differs from On-Call's${route} only in capitals. On-Call's documents disagree on whether that matters, so a page may go to On-Call's default route instead. ${TELL}`,
      detail: `${configKey}: "${routingKey}" matches On-Call's routing key${route} only in letter case; write it exactly as On-Call lists it.`,
    };
  if (routingKey !== routingKey.toLowerCase())
    return {
      kind: 'not_lower_case',
      configKey,
      message: `This target's routing key has capital letters, which On-Call warns can send a page to its default route. ${TELL}`,
      detail: `${configKey}: "${routingKey}" is not lower case; On-Call recommends lower-case routing keys so alerts do not go to the default route. Rename it in On-Call and here.`,
    };
  if (esc.policies.length === 0)
    return {
      kind: 'no_policy',
      configKey,
      message: `On-Call's routing key for this target pages no escalation policy, so a page may wake nobody. ${TELL}`,
      detail: `${configKey}: On-Call's routing key "${routingKey}" points at no escalation policy; give it one in On-Call.`,
    };
  return peopleProblem(routingKey, configKey, esc);
}

/** Whether the target's escalation policies wake a person at once. */
function peopleProblem(routingKey: string, configKey: string, esc: TargetEscalation): FoundProblem | null {
  const first = esc.policies.map((p) => ({ plan: p, now: p.steps.filter((s) => s.afterMinutes === 0) }));
  const pagesPeople = first.some(({ now }) => now.some((s) => s.users.length > 0 || s.emptyRotations.length > 0));
  if (!pagesPeople) {
    const what = first.map(({ plan, now }) => `${plan.policy.name} ${firstStepDoes(now)}`).join('; ');
    return {
      kind: 'nobody_at_once',
      configKey,
      message: `Nobody is paged at once for this target: ${what}. Later steps are listed below. ${TELL}`,
      detail: `${configKey}: no escalation policy of routing key "${routingKey}" pages a person in its first step (${what}); give one a rotation or a user at once.`,
    };
  }
  if (!first.some(({ now }) => now.some((s) => s.users.length > 0))) {
    const empty = [...new Set(first.flatMap(({ now }) => now.flatMap((s) => s.emptyRotations)))];
    return {
      kind: 'nobody_on_call_now',
      configKey,
      message: `Nobody is on call right now in ${quoted(empty)}, so a page to this target wakes nobody at once.`,
      detail: `${configKey}: routing key "${routingKey}" pages ${quoted(empty)} at once, and nobody is on call in ${empty.length === 1 ? 'it' : 'them'} now.`,
    };
  }
  return null;
}

function otherServiceProblem(
  service: string,
  routingKey: string,
  configKey: string,
  esc: TargetEscalation,
): FoundProblem | null {
  const serviceKey = configKey.replace(/\.routingKey$/, '.service');
  if (esc.match !== 'exact')
    return {
      kind: 'unknown_target',
      configKey: serviceKey,
      message: `${service} does not know this target's service, so a page to it may reach nobody. ${TELL}`,
      detail: `${serviceKey}: ${service} has no such service; set it to the id of the service whose integration key is ${configKey}.`,
    };
  if (esc.policies.length === 0)
    return {
      kind: 'no_policy',
      configKey: serviceKey,
      message: `This target's ${service} service has no escalation policy, so a page may wake nobody. ${TELL}`,
      detail: `${serviceKey}: the service pages no escalation policy; give it one in ${service}.`,
    };
  return peopleProblem(routingKey, configKey, esc);
}

function firstStepDoes(now: EscalationPlan['steps']): string {
  const also = [...new Set(now.flatMap((s) => s.also))];
  return also.length > 0 ? `only ${also.join(' and ')} at first` : 'has no first step that pages anyone';
}

/**
 * Whether paging to `routingKey` is muted by one of `mutes`. Keys are compared regardless of case:
 * when the service's answer on case is unknown, saying "muted" wrongly costs a look at the fallback
 * contacts, while not saying it would let a page wake nobody unannounced.
 */
export function mutingFor(routingKey: string, mutes: readonly ActiveMute[]): TargetMuting {
  const key = routingKey.toLowerCase();
  const m =
    mutes.find((x) => x.scope === 'everything') ??
    mutes.find((x) => x.routingKeys.some((k) => k.toLowerCase() === key));
  if (!m) return { state: 'off' };
  return {
    state: 'muted',
    scope: m.scope === 'everything' ? 'everything' : 'target',
    since: m.since,
    by: m.by,
    purpose: m.purpose,
  };
}
