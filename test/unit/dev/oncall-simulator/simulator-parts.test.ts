/** Pure pieces of the simulator: endpoint normalisation, fault rolls, message types. */
import { describe, expect, it } from 'vitest';
import { FaultInjector, validateFaults } from '#dev/oncall-simulator/faults.js';
import { endpointPath, RateLimiter } from '#dev/oncall-simulator/rate-limiter.js';
import { normaliseMessageType } from '#dev/oncall-simulator/rest-endpoint.js';

describe('endpointPath', () => {
  it('folds path parameters so one endpoint is one bucket', () => {
    expect(endpointPath('/api-public/v1/incidents/1042')).toBe('/api-public/v1/incidents/{incidentNumber}');
    expect(endpointPath('/api-public/v1/incidents/ack')).toBe('/api-public/v1/incidents/ack');
    expect(endpointPath('/api-public/v1/team/team-sreKLX0000000001/members')).toBe(
      '/api-public/v1/team/{team}/members',
    );
    expect(endpointPath('/api-public/v1/policies/pol-x')).toBe('/api-public/v1/policies/{policy}');
    expect(endpointPath('/api-public/v1/incidents')).toBe('/api-public/v1/incidents');
  });

  it('limits the reporting API to one call a minute', () => {
    const l = new RateLimiter({ perSecond: 100 });
    expect(l.take('k', 'GET', '/api-reporting/v2/incidents')).toBe(true);
    expect(l.take('k', 'GET', '/api-reporting/v2/incidents')).toBe(false);
  });
});

describe('faults', () => {
  it('rolls kinds in a fixed order from one random number', () => {
    let r = 0;
    const f = new FaultInjector({ resetRate: 0.25, errorRate: 0.25 }, () => r);
    r = 0.1;
    expect(f.roll('/x')).toBe('reset');
    r = 0.3;
    expect(f.roll('/x')).toBe('error');
    r = 0.6;
    expect(f.roll('/x')).toBeNull();
  });

  it('matches paths exactly, below, or by a trailing-* prefix', () => {
    const f = new FaultInjector({ errorRate: 1, paths: ['/api-public/v1/incidents', '/integrations/*'] }, () => 0);
    expect(f.roll('/api-public/v1/incidents')).toBe('error');
    expect(f.roll('/api-public/v1/incidents/7')).toBe('error');
    expect(f.roll('/api-public/v1/incidentsX')).toBeNull();
    expect(f.roll('/integrations/generic/20131114/alert/k/sre')).toBe('error');
  });

  it('refuses out-of-range or unknown settings with a message naming the setting', () => {
    expect(() => validateFaults({ errorRate: 1.5 })).toThrow(/errorRate/);
    expect(() => validateFaults({ errRate: 1 })).toThrow(/errRate/);
    expect(() => validateFaults({ errorStatus: 502 })).toThrow(/errorStatus/);
  });
});

describe('normaliseMessageType', () => {
  it('upper-cases, maps OK to RECOVERY and unknown types to INFO', () => {
    expect(normaliseMessageType('critical')).toBe('CRITICAL');
    expect(normaliseMessageType('Ok')).toBe('RECOVERY');
    expect(normaliseMessageType('acknowledgement')).toBe('ACKNOWLEDGEMENT');
    expect(normaliseMessageType('whatever')).toBe('INFO');
  });
});
