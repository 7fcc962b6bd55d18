/** Rules Engine transformations on their own (dev/oncall-simulator/rules.ts). */
import { describe, expect, it } from 'vitest';
import { applyRules, validateRules } from '#dev/oncall-simulator/rules.js';
import type { AlertRule } from '#dev/oncall-simulator/types.js';

describe('applyRules', () => {
  it('matches whole values with * as a wildcard, case-sensitively, and leaves other alerts alone', () => {
    const rules = [{ when: { field: 'entity_id', matches: 'disk*' }, set: { entity_id: 'Disk Problems' } }];
    expect(applyRules(rules, { entity_id: 'disk/db03' })).toEqual({ entity_id: 'Disk Problems' });
    expect(applyRules(rules, { entity_id: 'Disk/db03' })).toEqual({ entity_id: 'Disk/db03' });
    expect(applyRules(rules, { entity_id: 'a.disk' })).toEqual({ entity_id: 'a.disk' });
    expect(applyRules(rules, { entity_id: 7 })).toEqual({ entity_id: 7 });
  });

  it('escapes regular-expression characters in the pattern', () => {
    const rules = [{ when: { field: 'host', matches: 'db(1).*' }, set: { routing_key: 'platform' } }];
    expect(applyRules(rules, { host: 'db(1).example' })).toMatchObject({ routing_key: 'platform' });
    expect(applyRules(rules, { host: 'db1xexample' })).not.toHaveProperty('routing_key');
  });

  it('expands ${{field}} from the alert before this rule, adds new fields, and chains rules', () => {
    const rules: AlertRule[] = [
      {
        when: { field: 'monitoring_tool', matches: 'klaxon' },
        set: { team_hint: 'page from ${{ hostname }}', entity_id: '${{entity_id}}/x' },
      },
      { when: { field: 'team_hint', matches: 'page from *' }, set: { message_type: 'INFO', missing: '${{nope}}' } },
    ];
    expect(applyRules(rules, { monitoring_tool: 'klaxon', hostname: 'h1', entity_id: 'e' })).toEqual({
      monitoring_tool: 'klaxon',
      hostname: 'h1',
      entity_id: 'e/x',
      team_hint: 'page from h1',
      message_type: 'INFO',
      missing: '',
    });
  });
});

describe('validateRules', () => {
  it('accepts well-formed rules and names the first bad one', () => {
    expect(validateRules([{ when: { field: 'a', matches: '*' }, set: { b: 'c' } }])).toHaveLength(1);
    expect(() => validateRules({})).toThrow(/list/);
    expect(() => validateRules([{ when: { field: 'a', matches: '*' }, set: { b: 1 } }])).toThrow(/rules\[0\]: set.b/);
    expect(() => validateRules([{ set: {} }])).toThrow(/rules\[0\]: needs when/);
  });
});
