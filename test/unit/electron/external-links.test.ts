import { describe, expect, it } from 'vitest';
import { refuseExternalUrl } from '#electron/external-links.js';
import { clientConfig, incident, snapshot } from '#test/support/builders.js';

const ctx = {
  config: clientConfig(),
  snapshot: snapshot([incident({ link: 'https://portal.victorops.com/ui/klaxon-demo/incident/1042/details' })]),
};

describe('links Klaxon opens in the system browser', () => {
  it('allows fallback contacts, the ticket tracker and incident links', () => {
    expect(refuseExternalUrl('tel:+15550100', ctx)).toBeNull(); // opens the dialer: the phone fallback must be usable
    expect(
      refuseExternalUrl('mailto:sre@example.org', {
        ...ctx,
        config: clientConfig({ fallbackContacts: [{ kind: 'email', label: 'SRE', href: 'mailto:sre@example.org' }] }),
      }),
    ).toBeNull();
    expect(refuseExternalUrl('https://chat.example.org/sre', ctx)).toBeNull();
    expect(refuseExternalUrl('https://tickets.example.org/new?queue=sre', ctx)).toBeNull();
    expect(refuseExternalUrl('https://portal.victorops.com/ui/klaxon-demo/incident/1042/details', ctx)).toBeNull();
  });
  it('refuses everything else, with a reason', () => {
    expect(refuseExternalUrl('https://evil.example.org/', ctx)).toMatch(
      /only opens links from its server configuration/,
    );
    expect(refuseExternalUrl('http://chat.example.org/sre', ctx)).toMatch(/only opens https, tel and mailto/);
    expect(refuseExternalUrl('file:///etc/passwd', ctx)).toMatch(/only opens https/);
    expect(refuseExternalUrl('javascript:alert(1)', ctx)).toMatch(/only opens https/);
    expect(refuseExternalUrl('https://user:pw@chat.example.org/sre', ctx)).toMatch(/user name or password/);
    expect(refuseExternalUrl('https://portal.victorops.com/ui/x/settings', ctx)).not.toBeNull();
    expect(refuseExternalUrl('not a url', ctx)).toMatch(/not a valid link/);
    // Only URLs the server sent: an incident link for an incident not in the snapshot, a phone number
    // or mail address that is not a configured contact, a tel: "incident link".
    expect(refuseExternalUrl('https://portal.victorops.com/ui/klaxon-demo/incident/77', ctx)).toMatch(
      /only opens links from its server configuration/,
    );
    expect(refuseExternalUrl('tel:+15559999', ctx)).toMatch(/only opens links from its server configuration/);
    expect(refuseExternalUrl('mailto:attacker@example.org', ctx)).toMatch(
      /only opens links from its server configuration/,
    );
    expect(
      refuseExternalUrl('tel:+15550100', { config: null, snapshot: snapshot([incident({ link: 'tel:+15550100' })]) }),
    ).not.toBeNull();
    expect(refuseExternalUrl('tel:+15550100', { config: null, snapshot: null })).not.toBeNull();
  });
});
