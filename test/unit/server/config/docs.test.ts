// docs/server-config.md is the operator's reference: every key of the schema has a row, no row
// names a key the schema no longer has, and every environment override is documented on its key.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENV_OVERRIDES, ServerConfigSchema } from '#server/config/index.js';

const DOC = readFileSync(path.resolve(import.meta.dirname, '../../../../docs/server-config.md'), 'utf8');

interface SchemaNode {
  _zod: { def: { type: string; innerType?: SchemaNode; in?: SchemaNode; shape?: Record<string, SchemaNode> } };
}

/** The documented keys: leaves of nested objects (arrays and records are documented as one key). */
function keysOf(node: SchemaNode, prefix = ''): string[] {
  let def = node._zod.def;
  while (def.innerType || (def.type === 'pipe' && def.in)) def = (def.innerType ?? def.in)!._zod.def;
  if (def.type !== 'object' || !def.shape) return [prefix];
  return Object.entries(def.shape).flatMap(([k, v]) => keysOf(v, prefix ? `${prefix}.${k}` : k));
}

/** Rows of the "Keys" table: key → environment column. */
function documentedRows(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of DOC.split('\n')) {
    const m = /^\| `([A-Za-z0-9.]+)` \|[^|]*\| ([^|]*) \|/.exec(line);
    if (m) rows.set(m[1]!, m[2]!.trim());
  }
  return rows;
}

describe('docs/server-config.md', () => {
  const keys = keysOf(ServerConfigSchema as unknown as SchemaNode);
  const rows = documentedRows();

  it('documents every key of the configuration schema', () => {
    expect(keys.length).toBeGreaterThan(30);
    expect(keys.filter((k) => !rows.has(k))).toEqual([]);
  });

  it('documents no key the schema does not have', () => {
    expect([...rows.keys()].filter((k) => !keys.includes(k))).toEqual([]);
  });

  it('names each environment override on the row of its key', () => {
    const wrong = ENV_OVERRIDES.filter((o) => !rows.get(o.key)?.includes(`\`${o.env}\``)).map((o) => o.env);
    expect(wrong).toEqual([]);
  });
});
