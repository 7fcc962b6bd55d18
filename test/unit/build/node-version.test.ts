/**
 * The Node.js version README.md promises must be the one package.json asks for (`engines.node`) and
 * the one `npm ci` installs (the pinned devDependency `node`). They drifted once: the README said
 * 20.19 while the dependencies and the identity provider needed 22, and a new user lost time on it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  devDependencies: { node: string };
};

/** The major README promises, from its one headline sentence. */
function promisedMajor(text: string): number {
  const m = /Klaxon runs on \*\*Node\.js (\d+)\*\*/.exec(text);
  if (!m) throw new Error('README.md no longer says "Klaxon runs on **Node.js N**"; say which Node Klaxon needs');
  return Number(m[1]);
}

/** The lowest major an `engines` range such as ">=24.0.0" or "^24.1.0" accepts. */
function enginesMajor(range: string): number {
  const m = /^\s*(?:>=|\^|~)?\s*v?(\d+)(?:\.\d+){0,2}\s*$/.exec(range);
  if (!m) throw new Error(`engines.node "${range}" is not a simple lower bound this test can read`);
  return Number(m[1]);
}

describe('README.md and package.json name the same Node.js', () => {
  const promised = promisedMajor(readme);

  it('engines.node starts at the major README promises', () => {
    expect(enginesMajor(pkg.engines.node)).toBe(promised);
  });

  it('the pinned node devDependency is of that major, and README names its exact version', () => {
    const pinned = pkg.devDependencies.node;
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/); // exact, as every dependency is pinned
    expect(Number(pinned.split('.')[0])).toBe(promised);
    const exact = [...readme.matchAll(/\bNode(?:\.js)? (\d+\.\d+\.\d+)\b/g)].map((m) => m[1]);
    expect(exact.length).toBeGreaterThan(0);
    for (const v of exact) expect(v).toBe(pinned);
  });

  it('every "needs Node N" or "runs on Node N" in README says the same major', () => {
    const said = [...readme.matchAll(/\b(?:needs|on|that) (?:\*\*)?Node(?:\.js)? (\d+)(?![.\d])/g)].map((m) =>
      Number(m[1]),
    );
    expect(said.length).toBeGreaterThan(1);
    for (const major of said) expect(major).toBe(promised);
  });
});
