/**
 * The demo account shared by tests and `npm run dev:pagerduty` (README.md here, "Demo seed"):
 * an SRE service with a two-rule policy, a batphone service whose policy pages both on-call
 * people at once, users in five time zones, and a billing service in maintenance. Tests rely on
 * these ids; change them only together with every caller.
 */
import type { Org } from './org.js';

export const DEMO_USERS = {
  carol: 'PUCAROL',
  dmitri: 'PUDMITR',
  priya: 'PUPRIYA',
  sam: 'PUSAMLE',
  mara: 'PUMARAO',
  klaxon: 'PUKLAXN',
} as const;
export const DEMO_TEAM_SRE = 'PTSRE01';
export const DEMO_SCHEDULE_PRIMARY = 'PSSREPR';
export const DEMO_SCHEDULE_SECONDARY = 'PSSRESC';
export const DEMO_POLICY_SRE = 'PPSRE01';
export const DEMO_POLICY_BATPHONE = 'PPBATPH';
export const DEMO_SERVICE_SRE = 'PSVSRE1';
export const DEMO_SERVICE_BATPHONE = 'PSVBATP';
export const DEMO_SERVICE_BILLING = 'PSVBILL';
export const DEMO_MAINTENANCE_BILLING = 'PMWBILL';
/** Events API v2 routing keys (32 alphanumerics each). */
export const DEMO_ROUTING_KEYS = {
  sre: 'klaxondemosreintegrationkey00001',
  batphone: 'klaxondemobatphoneintegration001',
  billing: 'klaxondemobillingintegration0001',
} as const;
export const DEMO_API_TOKEN = 'demo-pd-api-token';
export const DEMO_READONLY_API_TOKEN = 'demo-pd-readonly-token';

const DAY = 86_400_000;
const MIN = 60_000;

/**
 * A fresh copy each time, relative to `now`: rotations start at today's UTC midnight. Long on purpose:
 * it is the demo organisation written out as data (services, policies, schedules, users), read top to bottom.
 */
export function demoOrg(now: number): Org {
  const today = Math.floor(now / DAY) * DAY;
  const u = DEMO_USERS;
  return {
    subdomain: 'klaxon-demo',
    apiTokens: [
      { token: DEMO_API_TOKEN, readOnly: false },
      { token: DEMO_READONLY_API_TOKEN, readOnly: true },
    ],
    users: [
      {
        id: u.carol,
        name: 'Carol Okafor',
        email: 'carol@klaxon.test',
        timeZone: 'Europe/Berlin',
        role: 'user',
        color: 'purple',
      },
      {
        id: u.dmitri,
        name: 'Dmitri Ivanov',
        email: 'dmitri@klaxon.test',
        timeZone: 'America/New_York',
        role: 'user',
        color: 'green',
      },
      {
        id: u.priya,
        name: 'Priya Raman',
        email: 'priya@klaxon.test',
        timeZone: 'Asia/Kolkata',
        role: 'user',
        color: 'orange',
      },
      {
        id: u.sam,
        name: 'Sam Lee',
        email: 'sam@klaxon.test',
        timeZone: 'America/Los_Angeles',
        role: 'user',
        color: 'teal',
      },
      {
        id: u.mara,
        name: 'Mara Okonkwo',
        email: 'mara@klaxon.test',
        timeZone: 'Australia/Sydney',
        role: 'admin',
        color: 'red',
        jobTitle: 'Head of SRE',
      },
      // The account the Klaxon server names in `From` when the person acknowledging has no PagerDuty user.
      { id: u.klaxon, name: 'Klaxon', email: 'klaxon@klaxon.test', timeZone: 'Etc/UTC', role: 'user', color: 'grey' },
    ],
    teams: [{ id: DEMO_TEAM_SRE, name: 'SRE' }],
    schedules: [
      {
        id: DEMO_SCHEDULE_PRIMARY,
        name: 'SRE Primary',
        timeZone: 'Europe/Berlin',
        userIds: [u.carol, u.dmitri],
        rotationStartMs: today,
        shiftHours: 24,
      },
      {
        id: DEMO_SCHEDULE_SECONDARY,
        name: 'SRE Secondary',
        timeZone: 'Asia/Kolkata',
        userIds: [u.priya, u.sam],
        rotationStartMs: today,
        shiftHours: 24,
      },
    ],
    policies: [
      {
        id: DEMO_POLICY_SRE,
        name: 'SRE',
        description: 'Primary on call first; the secondary after 15 minutes without an acknowledgement.',
        numLoops: 0,
        teamIds: [DEMO_TEAM_SRE],
        rules: [
          { id: 'PRSRE01', delayMinutes: 15, targets: [{ type: 'schedule_reference', id: DEMO_SCHEDULE_PRIMARY }] },
          { id: 'PRSRE02', delayMinutes: 15, targets: [{ type: 'schedule_reference', id: DEMO_SCHEDULE_SECONDARY }] },
        ],
      },
      {
        id: DEMO_POLICY_BATPHONE,
        name: 'Batphone',
        description: 'Everyone on call at once, then the head of SRE; repeats twice.',
        numLoops: 2,
        teamIds: [DEMO_TEAM_SRE],
        rules: [
          {
            id: 'PRBAT01',
            delayMinutes: 5,
            targets: [
              { type: 'schedule_reference', id: DEMO_SCHEDULE_PRIMARY },
              { type: 'schedule_reference', id: DEMO_SCHEDULE_SECONDARY },
            ],
          },
          { id: 'PRBAT02', delayMinutes: 10, targets: [{ type: 'user_reference', id: u.mara }] },
        ],
      },
    ],
    services: [
      {
        id: DEMO_SERVICE_SRE,
        name: 'SRE',
        description: 'Pages the SRE on-call rotation.',
        policyId: DEMO_POLICY_SRE,
        integrationKey: DEMO_ROUTING_KEYS.sre,
        integrationId: 'PISRE01',
        urgency: 'high',
        teamIds: [DEMO_TEAM_SRE],
        createdAtMs: today - 90 * DAY,
        disabled: false,
      },
      {
        id: DEMO_SERVICE_BATPHONE,
        name: 'Batphone',
        description: 'Everyone on call, now.',
        policyId: DEMO_POLICY_BATPHONE,
        integrationKey: DEMO_ROUTING_KEYS.batphone,
        integrationId: 'PIBAT01',
        urgency: 'high',
        teamIds: [DEMO_TEAM_SRE],
        createdAtMs: today - 90 * DAY,
        disabled: false,
      },
      {
        id: DEMO_SERVICE_BILLING,
        name: 'Billing',
        description: 'In maintenance in the demo: events to it open no incident.',
        policyId: DEMO_POLICY_SRE,
        integrationKey: DEMO_ROUTING_KEYS.billing,
        integrationId: 'PIBIL01',
        urgency: 'low',
        teamIds: [DEMO_TEAM_SRE],
        createdAtMs: today - 30 * DAY,
        disabled: false,
      },
    ],
    maintenanceWindows: [
      {
        id: DEMO_MAINTENANCE_BILLING,
        sequenceNumber: 1,
        description: 'Billing database migration',
        startMs: now - 30 * MIN,
        endMs: now + 120 * MIN,
        serviceIds: [DEMO_SERVICE_BILLING],
        createdByUserId: u.mara,
      },
    ],
  };
}

/** Incidents the demo starts with (opened silently: no webhook deliveries, no events logged). */
export const DEMO_INCIDENTS = {
  firstNumber: 1041,
  acked: {
    title: 'Elevated 5xx on edge cache',
    dedupKey: 'edge-cache-5xx',
    startedMinutesAgo: 24,
    ackedMinutesAgo: 18,
    ackedBy: DEMO_USERS.dmitri,
  },
  triggered: { title: 'Checkout latency above SLO', dedupKey: 'checkout-latency-slo', startedMinutesAgo: 6 },
} as const;
