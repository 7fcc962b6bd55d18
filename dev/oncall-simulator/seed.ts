/**
 * The demo organisation and incidents shared by tests and the demo launcher (README.md here, "Demo
 * seed"). Tests rely on these names; change them only together with every caller.
 */
import type { Org } from './org.js';
import { DEFAULT_ROUTING_KEY } from './org.js';

export const DEMO_TEAM_SRE = 'team-sreKLX0000000001';
export const DEMO_TEAM_PLATFORM = 'team-pltKLX0000000002';
export const DEMO_POLICY_SRE = 'pol-sreprimary00001';
export const DEMO_POLICY_PLATFORM = 'pol-pltprimary00002';

/** A fresh copy each time: state (on-call changes) must not leak between simulator instances. */
export function demoOrg(): Org {
  return {
    orgSlug: 'klaxon-demo',
    apiId: 'klaxon-demo',
    apiKeys: [
      { key: 'demo-api-key', readOnly: false },
      { key: 'demo-readonly-key', readOnly: true },
    ],
    restEndpointKey: 'demo-rest-key',
    users: [
      {
        username: 'carol',
        firstName: 'Carol',
        lastName: 'Okafor',
        email: 'carol@klaxon.test',
        timeZone: 'Europe/Berlin',
      },
      {
        username: 'dmitri',
        firstName: 'Dmitri',
        lastName: 'Ivanov',
        email: 'dmitri@klaxon.test',
        timeZone: 'America/New_York',
      },
      {
        username: 'priya',
        firstName: 'Priya',
        lastName: 'Raman',
        email: 'priya@klaxon.test',
        timeZone: 'Asia/Kolkata',
      },
      { username: 'sam', firstName: 'Sam', lastName: 'Lee', email: 'sam@klaxon.test', timeZone: 'America/Los_Angeles' },
      // Service user the Klaxon server acknowledges as for people who have no On-Call account (oncall.ackAsUser).
      { username: 'klaxon', firstName: 'Klaxon', lastName: 'Service', email: 'klaxon@klaxon.test', timeZone: 'UTC' },
    ],
    teams: [
      { name: 'SRE', slug: DEMO_TEAM_SRE, members: ['carol', 'dmitri'], isDefaultTeam: true },
      { name: 'Platform', slug: DEMO_TEAM_PLATFORM, members: ['priya', 'sam'], isDefaultTeam: false },
    ],
    policies: [
      {
        name: 'SRE Primary',
        slug: DEMO_POLICY_SRE,
        teamSlug: DEMO_TEAM_SRE,
        rotationGroupSlug: 'rtg-sreprimary00001',
        onCallNow: ['carol'],
      },
      {
        name: 'Platform Primary',
        slug: DEMO_POLICY_PLATFORM,
        teamSlug: DEMO_TEAM_PLATFORM,
        rotationGroupSlug: 'rtg-pltprimary00002',
        onCallNow: ['priya'],
      },
    ],
    routingKeys: [
      { routingKey: 'sre', policySlugs: [DEMO_POLICY_SRE], isDefault: false },
      { routingKey: 'platform', policySlugs: [DEMO_POLICY_PLATFORM], isDefault: false },
      { routingKey: DEFAULT_ROUTING_KEY, policySlugs: [DEMO_POLICY_SRE], isDefault: true },
    ],
  };
}

/** Time zones of the demo On-Call users, for Klaxon's `oncall.timeZones` config. */
export function demoTimeZones(): Record<string, string> {
  return Object.fromEntries(demoOrg().users.map((u) => [u.username, u.timeZone]));
}

/** The two demo incidents, created relative to "now" on every reset. */
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
} as const;
