import type { ClientConfig } from '#common/index.js';

/** Groups that would let a refused user in: the page groups first, then acknowledge-only groups. */
export function allowedGroups(config: Pick<ClientConfig, 'groups'> | null): string[] {
  return config ? [...new Set([...config.groups.page, ...config.groups.acknowledge])] : [];
}

/** "…Ask for membership of: staff or sre." */
export function notAuthorisedMessage(groups: readonly string[]): string {
  return groups.length
    ? `Your account is not in a group allowed to use Klaxon. Ask for membership of: ${groups.join(' or ')}.`
    : 'Your account is not in a group allowed to use Klaxon. Ask the Klaxon operator for access.';
}
