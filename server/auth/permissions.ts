import type { Viewer } from './viewer.js';

export type Permission = 'user' | 'view' | 'page' | 'acknowledge';

export interface GroupRules {
  page: string[];
  acknowledge: string[];
  view: string[] | null;
}

/** Groups from the configured claim; a missing or malformed claim means no groups (deny). */
export function groupsFromClaims(claims: Record<string, unknown>, claimName: string): string[] {
  const v = claims[claimName];
  if (Array.isArray(v)) return v.filter((g): g is string => typeof g === 'string');
  if (typeof v === 'string' && v) return [v];
  return [];
}

export function viewGroups(rules: GroupRules): string[] {
  return rules.view ?? [...new Set([...rules.page, ...rules.acknowledge])];
}

export function permissionsFor(groups: readonly string[], rules: GroupRules): Viewer['permissions'] {
  const has = (allowed: readonly string[]) => groups.some((g) => allowed.includes(g));
  return { view: has(viewGroups(rules)), page: has(rules.page), acknowledge: has(rules.acknowledge) };
}

export function requiredGroupsFor(permission: Exclude<Permission, 'user'>, rules: GroupRules): string[] {
  return permission === 'view' ? viewGroups(rules) : rules[permission];
}

const ACTION: Record<Exclude<Permission, 'user'>, string> = {
  view: 'see incidents',
  page: 'page SRE',
  acknowledge: 'acknowledge incidents',
};

/** "To page SRE you need to be in one of these groups: staff, sre. Ask your IT team to add you." */
export function forbiddenMessage(permission: Exclude<Permission, 'user'>, rules: GroupRules): string {
  const groups = requiredGroupsFor(permission, rules);
  const list = groups.length === 1 ? `the group ${groups[0]}` : `one of these groups: ${groups.join(', ')}`;
  return `To ${ACTION[permission]} you need to be in ${list}. Ask your IT team to add you, then sign in again.`;
}
