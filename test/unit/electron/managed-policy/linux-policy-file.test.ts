import { chmodSync, chownSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readLinuxPolicy } from '#electron/managed-policy/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-settings-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('Linux policy file', () => {
  const write = (content: string, mode = 0o644) => {
    const f = path.join(dir, 'policy.json');
    writeFileSync(f, content);
    chmodSync(f, mode);
    return f;
  };
  const me = process.getuid?.() ?? 0;

  it('reads a root-owned (here: owner = the test user), non-writable-by-others file and names bad keys', () => {
    const f = write(JSON.stringify({ serverUrl: 'https://klaxon.example.org', autoUpdate: 'yes', colour: 'red' }));
    const r = readLinuxPolicy(f, { requiredOwnerUid: me });
    expect(r.policy).toEqual({ serverUrl: 'https://klaxon.example.org' });
    expect(r.source).toBe(f);
    expect(r.problems.join('\n')).toMatch(/invalid value for "autoUpdate"/);
    expect(r.problems.join('\n')).toMatch(/unknown setting "colour"/);
  });
  it('ignores a group- or world-writable file', () => {
    const f = write(JSON.stringify({ serverUrl: 'https://evil.example.org' }), 0o666);
    const r = readLinuxPolicy(f, { requiredOwnerUid: me });
    expect(r.policy).toEqual({});
    expect(r.problems[0]).toMatch(/can be written by group or others \(mode 666\)/);
  });
  it('ignores a file not owned by root', () => {
    const f = write(JSON.stringify({ serverUrl: 'https://evil.example.org' }));
    const r = me === 0 ? (chownSync(f, 1234, 1234), readLinuxPolicy(f)) : readLinuxPolicy(f);
    expect(r.policy).toEqual({});
    expect(r.problems[0]).toMatch(/not owned by root/);
  });
  it('ignores a symlink, even to a good file', () => {
    const f = write(JSON.stringify({ serverUrl: 'https://klaxon.example.org' }));
    const link = path.join(dir, 'link.json');
    symlinkSync(f, link);
    expect(readLinuxPolicy(link, { requiredOwnerUid: me }).problems[0]).toMatch(/symbolic link/);
  });
  it('no file: no policy, no problem; broken JSON: a problem, no crash', () => {
    expect(readLinuxPolicy(path.join(dir, 'missing.json'))).toEqual({ policy: {}, source: null, problems: [] });
    expect(readLinuxPolicy(write('{oops'), { requiredOwnerUid: me }).problems[0]).toMatch(/not valid JSON/);
  });
});
