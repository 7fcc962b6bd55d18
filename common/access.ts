import type { ClientConfig } from './client-config.js';

/** The group lists of the server's configuration that decide who may do what. */
export type GroupRules = Pick<ClientConfig['groups'], 'page' | 'acknowledge'> & {
  view?: readonly string[] | null;
  /** Auditors: read the audit log and the access review. Not part of `allowedGroups`. */
  audit?: readonly string[];
};

/**
 * The groups that let someone use Klaxon at all (see incidents): the configured view groups, or
 * else everyone who may page or acknowledge, page groups first. The server decides with it; the
 * desktop and web UI name the same groups to a refused user.
 */
export function allowedGroups(rules: GroupRules): string[] {
  return rules.view ? [...rules.view] : [...new Set([...rules.page, ...rules.acknowledge])];
}

/** The one sentence a refused user reads, from the server's 403, in the desktop app and in the web UI. */
export function notAuthorisedMessage(groups: readonly string[], signedInAs?: string | null): string {
  const who = signedInAs ? `You are signed in as ${signedInAs}, but your` : 'Your';
  return groups.length
    ? `${who} account is not in a group allowed to use Klaxon. Ask for membership of: ${groups.join(' or ')}.`
    : `${who} account is not in a group allowed to use Klaxon. Ask the Klaxon operator for access.`;
}
