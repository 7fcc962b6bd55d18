import { allowedGroups, notAuthorisedMessage, type GroupRules, type RouteAuth } from '#common/index.js';
import type { Viewer } from './viewer.js';

/** What a guarded route needs: any signed-in user, or one of the permissions the groups grant. */
export type Permission = Exclude<RouteAuth, 'none'>;
export type { GroupRules };

/** Groups from the configured claim; a missing or malformed claim means no groups (deny). */
export function groupsFromClaims(claims: Record<string, unknown>, claimName: string): string[] {
  const v = claims[claimName];
  if (Array.isArray(v)) return v.filter((g): g is string => typeof g === 'string');
  if (typeof v === 'string' && v) return [v];
  return [];
}

export function permissionsFor(groups: readonly string[], rules: GroupRules): Viewer['permissions'] {
  const has = (allowed: readonly string[]) => groups.some((g) => allowed.includes(g));
  return {
    view: has(allowedGroups(rules)),
    page: has(rules.page),
    acknowledge: has(rules.acknowledge),
    audit: has(rules.audit ?? []),
  };
}

export function requiredGroupsFor(permission: Exclude<Permission, 'user'>, rules: GroupRules): string[] {
  if (permission === 'view') return allowedGroups(rules);
  return [...(permission === 'audit' ? (rules.audit ?? []) : rules[permission])];
}

const ACTION: Record<Exclude<Permission, 'view' | 'user'>, string> = {
  page: 'page SRE',
  acknowledge: 'acknowledge incidents',
  audit: 'read the audit log',
};

/**
 * Someone who may not use Klaxon at all reads the same sentence as in the apps; someone who may
 * use it but not do this one thing reads "To page SRE you need to be in one of these groups: …".
 */
export function forbiddenMessage(permission: Exclude<Permission, 'user'>, rules: GroupRules): string {
  const groups = requiredGroupsFor(permission, rules);
  if (permission === 'view') return notAuthorisedMessage(groups);
  if (!groups.length)
    return `Nobody may ${ACTION[permission]} on this Klaxon server yet: the operator names the groups that may in groups.${permission}.`;
  const list = groups.length === 1 ? `the group ${groups[0]}` : `one of these groups: ${groups.join(', ')}`;
  return `To ${ACTION[permission]} you need to be in ${list}. Ask your IT team to add you, then sign in again.`;
}
