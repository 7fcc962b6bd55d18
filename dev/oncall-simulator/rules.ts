/**
 * The Rules Engine's transformations (docs/splunk-oncall.md#what-real-organisations-add): rewrite an
 * alert's fields (`entity_id`, `message_type`, `routing_key`, `entity_display_name`, or any other)
 * before it is processed, so the incident a sender looks for may carry another `entity_id`, land on
 * another key, or never open (a rule that sets `message_type` to INFO).
 */
import type { AlertRule } from './types.js';

export function validateRules(v: unknown): AlertRule[] {
  if (!Array.isArray(v)) throw new Error('rules must be a list of {when: {field, matches}, set: {field: value}}');
  return v.map((r, k) => {
    const bad = (why: string) => new Error(`rules[${k}]: ${why}`);
    if (typeof r !== 'object' || r === null) throw bad('not an object');
    const { when, set } = r as Record<string, unknown>;
    if (typeof when !== 'object' || when === null) throw bad('needs when: {field, matches}');
    const { field, matches } = when as Record<string, unknown>;
    if (typeof field !== 'string' || typeof matches !== 'string')
      throw bad('when.field and when.matches must be strings');
    if (typeof set !== 'object' || set === null || Array.isArray(set)) throw bad('needs set: {field: value}');
    for (const [f, value] of Object.entries(set)) if (typeof value !== 'string') throw bad(`set.${f} must be a string`);
    return { when: { field, matches }, set: { ...(set as Record<string, string>) } };
  });
}

/** The alert's fields after every rule that matches, in order. Non-string fields never match. */
export function applyRules(rules: readonly AlertRule[], fields: Record<string, unknown>): Record<string, unknown> {
  let out = fields;
  for (const rule of rules) {
    const value = out[rule.when.field];
    if (typeof value !== 'string' || !wildcard(rule.when.matches).test(value)) continue;
    const next = { ...out };
    for (const [f, template] of Object.entries(rule.set)) next[f] = expand(template, out);
    out = next;
  }
  return out;
}

function wildcard(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 's');
}

/** `${{field}}` becomes the field's current value (empty when it has none). */
function expand(template: string, fields: Record<string, unknown>): string {
  return template.replace(/\$\{\{([^}]+)\}\}/g, (_, name: string) => {
    const v = fields[name.trim()];
    if (v === undefined || v === null) return '';
    return typeof v === 'object' ? JSON.stringify(v) : String(v as string | number | boolean);
  });
}
