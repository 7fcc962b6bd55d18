import { describe, expect, it } from 'vitest';
import { refuseExternalUrl } from '../../../electron/external-links.js';
import { clientConfig, incident, snapshot } from './fixtures.js';

const ctx = { config: clientConfig(), snapshot: snapshot([incident({ link: 'https://portal.victorops.com/ui/klaxon-demo/incident/1042/details' })]) };

describe('links Klaxon opens in the system browser', () => {
  it('allows fallback contacts, the ticket tracker and incident links', () => {
    expect(refuseExternalUrl('tel:+15550100', ctx)).toBeNull();
    expect(refuseExternalUrl('https://chat.example.org/sre', ctx)).toBeNull();
    expect(refuseExternalUrl('https://tickets.example.org/new?queue=sre', ctx)).toBeNull();
    expect(refuseExternalUrl('https://portal.victorops.com/ui/klaxon-demo/incident/1042/details', ctx)).toBeNull();
    expect(refuseExternalUrl('https://portal.victorops.com/ui/klaxon-demo/incident/77', ctx)).toBeNull();
  });
  it('refuses everything else, with a reason', () => {
    expect(refuseExternalUrl('https://evil.example.org/', ctx)).toMatch(/only opens links from its server configuration/);
    expect(refuseExternalUrl('http://chat.example.org/sre', ctx)).toMatch(/only opens https, tel and mailto/);
    expect(refuseExternalUrl('file:///etc/passwd', ctx)).toMatch(/only opens https/);
    expect(refuseExternalUrl('javascript:alert(1)', ctx)).toMatch(/only opens https/);
    expect(refuseExternalUrl('https://user:pw@chat.example.org/sre', ctx)).toMatch(/user name or password/);
    expect(refuseExternalUrl('https://portal.victorops.com/ui/x/settings', ctx)).not.toBeNull();
    expect(refuseExternalUrl('not a url', ctx)).toMatch(/not a valid link/);
    expect(refuseExternalUrl('tel:+15550100', { config: null, snapshot: null })).not.toBeNull();
  });
});
