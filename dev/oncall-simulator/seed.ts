/**
 * The two demo organisations and the incidents shared by tests and the demo launcher (README.md here,
 * "Demo organisations"). Tests rely on these names; change them only together with every caller.
 *
 * `realistic` (the default, and the demo's): one policy per team would be tidy, so it has what real
 * organisations add (docs/splunk-oncall.md#what-real-organisations-add): a batphone policy with
 * everybody on it, policies with several steps, a policy whose rotation is empty, one whose first step
 * pages nobody, keys with several targets and a multi-responder key.
 * `tidy`: the same teams, people and keys with one policy per team, one step, one key per policy: for
 * tests about that simple shape.
 */
import type { Org, OrgPolicy, OrgRotation, OrgRoutingKey, OrgUser } from './org.js';
import { DEFAULT_ROUTING_KEY } from './org.js';

export type OrgProfile = 'tidy' | 'realistic';

export const DEMO_TEAM_SRE = 'team-sreKLX0000000001';
export const DEMO_TEAM_PLATFORM = 'team-pltKLX0000000002';
export const DEMO_POLICY_SRE = 'pol-sreprimary00001';
export const DEMO_POLICY_PLATFORM = 'pol-pltprimary00002';
// Realistic profile only. Slugs follow the documented `pol-`/`rtg-` + 16 characters.
export const DEMO_POLICY_BATPHONE = 'pol-srebatphone00003';
export const DEMO_POLICY_PLATFORM_HOURS = 'pol-pltbizhours00005';
export const DEMO_POLICY_TICKETS = 'pol-sretickets000006';
export const DEMO_ROTATION_SRE = 'rtg-sreprimary00001';
export const DEMO_ROTATION_SRE_SECONDARY = 'rtg-sresecondary0004';
export const DEMO_ROTATION_BATPHONE = 'rtg-srebatphone00003';
export const DEMO_ROTATION_PLATFORM = 'rtg-pltprimary00002';
export const DEMO_ROTATION_PLATFORM_HOURS = 'rtg-pltbizhours00005';

const user = (username: string, firstName: string, lastName: string, timeZone: string): OrgUser => ({
  username,
  firstName,
  lastName,
  email: `${username}@klaxon.test`,
  timeZone,
});

const rotation = (slug: string, label: string, teamSlug: string, onCallNow: string[]): OrgRotation => ({
  slug,
  label,
  teamSlug,
  onCallNow,
});

const key = (routingKey: string, policySlugs: string[], extra: Partial<OrgRoutingKey> = {}): OrgRoutingKey => ({
  routingKey,
  policySlugs,
  isDefault: false,
  ...extra,
});

/** A fresh copy each time: state (on-call changes) must not leak between simulator instances. */
export function demoOrg(profile: OrgProfile = 'realistic'): Org {
  return profile === 'realistic' ? realisticOrg() : tidyOrg();
}

function base(): Pick<Org, 'orgSlug' | 'apiId' | 'apiKeys' | 'restEndpointKey'> {
  return {
    orgSlug: 'klaxon-demo',
    apiId: 'klaxon-demo',
    apiKeys: [
      { key: 'demo-api-key', readOnly: false },
      { key: 'demo-readonly-key', readOnly: true },
    ],
    restEndpointKey: 'demo-rest-key',
  };
}

function tidyUsers(): OrgUser[] {
  return [
    user('carol', 'Carol', 'Okafor', 'Europe/Berlin'),
    user('dmitri', 'Dmitri', 'Ivanov', 'America/New_York'),
    user('priya', 'Priya', 'Raman', 'Asia/Kolkata'),
    user('sam', 'Sam', 'Lee', 'America/Los_Angeles'),
    // Service user the Klaxon server acknowledges as for people who have no On-Call account (oncall.ackAsUser).
    user('klaxon', 'Klaxon', 'Service', 'UTC'),
  ];
}

function primaryPolicy(name: string, slug: string, teamSlug: string, rotationSlug: string): OrgPolicy {
  return {
    name,
    slug,
    teamSlug,
    steps: [{ timeout: 0, entries: [{ executionType: 'rotation_group', rotationSlug }] }],
  };
}

function tidyOrg(): Org {
  return {
    ...base(),
    users: tidyUsers(),
    teams: [
      { name: 'SRE', slug: DEMO_TEAM_SRE, members: ['carol', 'dmitri'], isDefaultTeam: true },
      { name: 'Platform', slug: DEMO_TEAM_PLATFORM, members: ['priya', 'sam'], isDefaultTeam: false },
    ],
    rotations: [
      rotation(DEMO_ROTATION_SRE, 'SRE primary', DEMO_TEAM_SRE, ['carol']),
      rotation(DEMO_ROTATION_PLATFORM, 'Platform primary', DEMO_TEAM_PLATFORM, ['priya']),
    ],
    policies: [
      primaryPolicy('SRE Primary', DEMO_POLICY_SRE, DEMO_TEAM_SRE, DEMO_ROTATION_SRE),
      primaryPolicy('Platform Primary', DEMO_POLICY_PLATFORM, DEMO_TEAM_PLATFORM, DEMO_ROTATION_PLATFORM),
    ],
    routingKeys: [
      key('sre', [DEMO_POLICY_SRE]),
      key('platform', [DEMO_POLICY_PLATFORM]),
      key(DEFAULT_ROUTING_KEY, [DEMO_POLICY_SRE], { isDefault: true }),
    ],
  };
}

function realisticOrg(): Org {
  const sre = ['carol', 'dmitri', 'ana', 'lars', 'jo'];
  return {
    ...base(),
    users: [
      ...tidyUsers(),
      user('ana', 'Ana', 'Souza', 'America/Sao_Paulo'),
      user('lars', 'Lars', 'Nilsson', 'Europe/Stockholm'),
      { ...user('jo', 'Joanna', 'Kowalski', 'Europe/Warsaw'), displayName: 'Jo Kowalski' },
      user('mei', 'Mei', 'Tanaka', 'Asia/Tokyo'),
      // The system user Wikimedia's Klaxon reroutes unpaged incidents as (klaxon/victorops.py).
      user('escalator_sysuser', 'Escalator', 'System', 'UTC'),
    ],
    teams: [
      { name: 'SRE', slug: DEMO_TEAM_SRE, members: sre, isDefaultTeam: true },
      { name: 'Platform', slug: DEMO_TEAM_PLATFORM, members: ['priya', 'sam', 'mei'], isDefaultTeam: false },
    ],
    rotations: [
      rotation(DEMO_ROTATION_SRE, 'SRE primary', DEMO_TEAM_SRE, ['carol']),
      rotation(DEMO_ROTATION_SRE_SECONDARY, 'SRE secondary', DEMO_TEAM_SRE, ['dmitri']),
      rotation(DEMO_ROTATION_BATPHONE, 'SRE batphone', DEMO_TEAM_SRE, [...sre]),
      rotation(DEMO_ROTATION_PLATFORM, 'Platform primary', DEMO_TEAM_PLATFORM, ['priya']),
      // Business hours only: nobody is on it now, so a page on this policy pages nobody.
      rotation(DEMO_ROTATION_PLATFORM_HOURS, 'Platform business hours', DEMO_TEAM_PLATFORM, []),
    ],
    policies: [
      {
        name: 'SRE Primary',
        slug: DEMO_POLICY_SRE,
        teamSlug: DEMO_TEAM_SRE,
        steps: [
          { timeout: 0, entries: [{ executionType: 'rotation_group', rotationSlug: DEMO_ROTATION_SRE }] },
          { timeout: 15, entries: [{ executionType: 'rotation_group', rotationSlug: DEMO_ROTATION_SRE_SECONDARY }] },
          { timeout: 30, entries: [{ executionType: 'policy_routing', policySlug: DEMO_POLICY_BATPHONE }] },
        ],
      },
      primaryPolicy('SRE Batphone', DEMO_POLICY_BATPHONE, DEMO_TEAM_SRE, DEMO_ROTATION_BATPHONE),
      {
        // Its first step only sends an e-mail: Wikimedia's check_esc_policy_config would flag it.
        name: 'SRE Tickets',
        slug: DEMO_POLICY_TICKETS,
        teamSlug: DEMO_TEAM_SRE,
        steps: [
          { timeout: 0, entries: [{ executionType: 'email', address: 'sre-tickets@klaxon.test' }] },
          { timeout: 60, entries: [{ executionType: 'rotation_group', rotationSlug: DEMO_ROTATION_SRE }] },
        ],
      },
      {
        name: 'Platform Primary',
        slug: DEMO_POLICY_PLATFORM,
        teamSlug: DEMO_TEAM_PLATFORM,
        steps: [
          { timeout: 0, entries: [{ executionType: 'rotation_group', rotationSlug: DEMO_ROTATION_PLATFORM }] },
          { timeout: 10, entries: [{ executionType: 'user', username: 'sam' }] },
        ],
      },
      primaryPolicy(
        'Platform Business Hours',
        DEMO_POLICY_PLATFORM_HOURS,
        DEMO_TEAM_PLATFORM,
        DEMO_ROTATION_PLATFORM_HOURS,
      ),
    ],
    routingKeys: [
      key('sre', [DEMO_POLICY_SRE]),
      key('platform', [DEMO_POLICY_PLATFORM]),
      key('batphone', [DEMO_POLICY_BATPHONE]),
      key('platform-hours', [DEMO_POLICY_PLATFORM_HOURS]),
      key('tickets', [DEMO_POLICY_TICKETS]),
      key('sre-platform', [DEMO_POLICY_SRE, DEMO_POLICY_PLATFORM]),
      key('major-incident', [DEMO_POLICY_SRE, DEMO_POLICY_PLATFORM], { multiResponder: true }),
      key(DEFAULT_ROUTING_KEY, [DEMO_POLICY_SRE], { isDefault: true }),
    ],
  };
}

/** Time zones of the demo On-Call users, for Klaxon's `oncall.timeZones` config. */
export function demoTimeZones(profile: OrgProfile = 'realistic'): Record<string, string> {
  return Object.fromEntries(demoOrg(profile).users.map((u) => [u.username, u.timeZone]));
}

/** The demo incidents, created relative to "now" on every reset. */
export const DEMO_INCIDENTS = {
  firstNumber: 1041,
  acked: {
    title: 'Elevated 5xx on edge cache',
    entityId: 'edge-cache/5xx-rate',
    routingKey: 'sre',
    startedMinutesAgo: 24,
    ackedBy: 'dmitri',
    ackedMinutesAgo: 19,
    ackMessage: 'Looking at the cache nodes',
  },
  unacked: {
    title: 'Checkout latency above SLO',
    entityId: 'checkout/latency-p99',
    routingKey: 'sre',
    startedMinutesAgo: 6,
  },
  /** Realistic profile only: its policy's rotation is empty, so nobody is being paged. */
  unpaged: {
    title: 'Nightly export stalled',
    entityId: 'export/nightly',
    routingKey: 'platform-hours',
    startedMinutesAgo: 3,
  },
} as const;
