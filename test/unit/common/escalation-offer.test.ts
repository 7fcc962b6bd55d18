import { describe, expect, it } from 'vitest';
import { ClientConfig, escalationOfferFor } from '#common/index.js';
import { clientConfig } from '#test/support/builders.js';

const onCall = { policyName: 'SRE Batphone', manualAfterMinutes: 5 };
const pagerDuty = { policyName: 'Batphone', manualAfterMinutes: 5 };

describe('escalationOfferFor', () => {
  it('one service: the offer is the server’s single one, whatever the page says', () => {
    const c = ClientConfig.parse({ ...clientConfig(), escalation: onCall });
    expect(escalationOfferFor(c, undefined)).toEqual(onCall);
    expect(escalationOfferFor(c, 'oncall')).toEqual(onCall);
    expect(escalationOfferFor(ClientConfig.parse(clientConfig()), undefined)).toBeNull();
    expect(escalationOfferFor(null, undefined)).toBeNull();
  });

  it('several services: each page gets its own service’s offer, or none', () => {
    const c = ClientConfig.parse({ ...clientConfig(), escalationsByService: { pagerduty: pagerDuty } });
    expect(escalationOfferFor(c, 'pagerduty')).toEqual(pagerDuty);
    // On-Call has no fallback on this server: never PagerDuty's policy instead.
    expect(escalationOfferFor(c, undefined)).toBeNull();
    expect(escalationOfferFor(c, 'oncall')).toBeNull();
  });

  it('a client config naming a service Klaxon does not know is refused', () => {
    expect(ClientConfig.safeParse({ ...clientConfig(), escalationsByService: { opsgenie: pagerDuty } }).success).toBe(
      false,
    );
  });
});
