/**
 * The IT policy templates in build/policy/ against the one policy schema (common/settings.ts): each
 * names exactly the settings of `settingsShape`, with value types the desktop app's readers accept.
 */
import { DOMParser } from '@xmldom/xmldom';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManagedPolicy, SETTING_KEYS, settingsShape, type SettingKey } from '#common/index.js';

const POLICY_DIR = path.resolve(import.meta.dirname, '../../../build/policy');
const read = (rel: string) => readFileSync(path.join(POLICY_DIR, rel), 'utf8');
const sorted = (xs: Iterable<string>) => [...xs].sort();

/** 'boolean' settings become REG_DWORD / <true/>; everything else is a string. */
const kindOf = (key: SettingKey): 'boolean' | 'string' =>
  settingsShape[key].safeParse(true).success ? 'boolean' : 'string';
const BOOLEAN_KEYS = SETTING_KEYS.filter((k) => kindOf(k) === 'boolean');
const ENUM_OPTIONS = { updateChannel: [...settingsShape.updateChannel.options] } as Record<string, string[]>;

function parseXml(text: string): Document {
  const problems: string[] = [];
  const doc = new DOMParser({
    errorHandler: {
      warning: () => {},
      error: (m: string) => problems.push(m),
      fatalError: (m: string) => problems.push(m),
    },
  }).parseFromString(text, 'text/xml');
  expect(problems, 'XML must be well-formed').toEqual([]);
  return doc;
}
const children = (el: Element | Document, name: string): Element[] => Array.from(el.getElementsByTagName(name));
const directChildren = (el: Element): Element[] =>
  Array.from(el.childNodes).filter((n): n is Element => n.nodeType === 1);

describe('Windows ADMX/ADML (HKLM\\Software\\Policies\\Klaxon)', () => {
  const admx = parseXml(read('windows/klaxon.admx'));
  const adml = parseXml(read('windows/en-US/klaxon.adml'));
  const policies = children(admx, 'policy');

  /** value name → how it is written: DWORD 0/1 on the policy itself, or a text/enum element. */
  function valueWriters(): Map<
    string,
    { policy: Element; writer: 'dword' | 'text' | 'enum'; element: Element | null }
  > {
    const out = new Map<string, { policy: Element; writer: 'dword' | 'text' | 'enum'; element: Element | null }>();
    for (const p of policies) {
      const own = p.getAttribute('valueName');
      if (own) out.set(own, { policy: p, writer: 'dword', element: null });
      for (const t of children(p, 'text'))
        out.set(t.getAttribute('valueName') ?? '', { policy: p, writer: 'text', element: t });
      for (const e of children(p, 'enum'))
        out.set(e.getAttribute('valueName') ?? '', { policy: p, writer: 'enum', element: e });
    }
    return out;
  }

  it('has one machine policy per setting, all under Software\\Policies\\Klaxon', () => {
    expect(sorted(valueWriters().keys())).toEqual(sorted(SETTING_KEYS));
    expect(sorted(policies.map((p) => p.getAttribute('name') ?? ''))).toEqual(sorted(SETTING_KEYS));
    for (const p of policies) {
      expect(p.getAttribute('key')).toBe('Software\\Policies\\Klaxon');
      expect(p.getAttribute('class')).toBe('Machine');
    }
  });

  it('writes on/off settings as REG_DWORD 1/0 and string settings as REG_SZ text or a fixed list', () => {
    for (const [key, w] of valueWriters()) {
      if (kindOf(key as SettingKey) === 'boolean') {
        expect(w.writer, key).toBe('dword');
        expect(children(children(w.policy, 'enabledValue')[0]!, 'decimal')[0]!.getAttribute('value'), key).toBe('1');
        expect(children(children(w.policy, 'disabledValue')[0]!, 'decimal')[0]!.getAttribute('value'), key).toBe('0');
      } else if (ENUM_OPTIONS[key]) {
        expect(w.writer, key).toBe('enum');
        const values = children(w.element!, 'item').map((i) => children(i, 'string')[0]!.textContent);
        expect(sorted(values as string[])).toEqual(sorted(ENUM_OPTIONS[key]!));
      } else {
        expect(w.writer, key).toBe('text');
        expect(w.element!.getAttribute('expandable')).not.toBe('true'); // REG_SZ, not REG_EXPAND_SZ
      }
    }
    expect(BOOLEAN_KEYS.length).toBeGreaterThan(0);
  });

  it('has every display string and presentation the ADMX refers to in the en-US ADML', () => {
    const text = read('windows/klaxon.admx');
    const strings = new Set(children(adml, 'string').map((s) => s.getAttribute('id') ?? ''));
    const presentations = new Map(children(adml, 'presentation').map((p) => [p.getAttribute('id') ?? '', p]));
    const stringRefs = [...text.matchAll(/\$\(string\.([^)]+)\)/g)].map((m) => m[1]!);
    const presentationRefs = [...text.matchAll(/\$\(presentation\.([^)]+)\)/g)].map((m) => m[1]!);
    expect(stringRefs.filter((r) => !strings.has(r))).toEqual([]);
    expect(presentationRefs.filter((r) => !presentations.has(r))).toEqual([]);
    // Each presentation control points at an element of its policy.
    for (const p of policies.filter((x) => x.getAttribute('presentation'))) {
      const id = /\$\(presentation\.([^)]+)\)/.exec(p.getAttribute('presentation')!)![1]!;
      const elementIds = sorted(
        [...children(p, 'text'), ...children(p, 'enum')].map((e) => e.getAttribute('id') ?? ''),
      );
      const refIds = sorted(directChildren(presentations.get(id)!).map((c) => c.getAttribute('refId') ?? ''));
      expect(refIds, id).toEqual(elementIds);
    }
    // Every setting is explained to the admin, naming its registry value.
    for (const key of SETTING_KEYS) {
      const explain = children(adml, 'string').find((s) => s.getAttribute('id') === `${key}_Explain`);
      expect(explain?.textContent, key).toContain(`value ${key} (REG_${kindOf(key) === 'boolean' ? 'DWORD' : 'SZ'}`);
    }
  });
});

describe('Windows example .reg file', () => {
  /** Minimal .reg parser: "name"="string" → REG_SZ, "name"=dword:0000000n → REG_DWORD. */
  function parseReg(text: string): {
    key: string | null;
    values: Map<string, { type: 'REG_SZ' | 'REG_DWORD'; data: string }>;
  } {
    let key: string | null = null;
    const values = new Map<string, { type: 'REG_SZ' | 'REG_DWORD'; data: string }>();
    for (const line of text.split(/\r?\n/)) {
      const k = /^\[(.+)\]$/.exec(line);
      if (k) {
        key = k[1]!;
        continue;
      }
      const sz = /^"([^"]+)"="((?:[^"\\]|\\.)*)"$/.exec(line);
      if (sz) {
        values.set(sz[1]!, { type: 'REG_SZ', data: sz[2]!.replace(/\\(.)/g, '$1') });
        continue;
      }
      const dw = /^"([^"]+)"=dword:([0-9a-f]{8})$/i.exec(line);
      if (dw) values.set(dw[1]!, { type: 'REG_DWORD', data: String(parseInt(dw[2]!, 16)) });
    }
    return { key, values };
  }

  it('sets every setting under the policy key with the documented types and valid values', () => {
    const text = read('windows/klaxon-example.reg');
    expect(text.startsWith('Windows Registry Editor Version 5.00\r\n')).toBe(true);
    const { key, values } = parseReg(text);
    expect(key).toBe('HKEY_LOCAL_MACHINE\\Software\\Policies\\Klaxon');
    expect(sorted(values.keys())).toEqual(sorted(SETTING_KEYS));
    const policy: Record<string, unknown> = {};
    for (const [name, v] of values) {
      expect(v.type, name).toBe(kindOf(name as SettingKey) === 'boolean' ? 'REG_DWORD' : 'REG_SZ');
      if (v.type === 'REG_DWORD') expect(['0', '1']).toContain(v.data);
      policy[name] = v.type === 'REG_DWORD' ? v.data === '1' : v.data;
    }
    expect(ManagedPolicy.safeParse(policy).success).toBe(true);
  });

  it("reads back through the desktop app's registry reader exactly as intended", async () => {
    const { registryValuesToRaw } = await import('#electron/managed-policy/windows-registry-policy.js');
    const { values } = parseReg(read('windows/klaxon-example.reg'));
    const asRegQuery = [...values].map(([name, v]) => ({
      name,
      type: v.type,
      data: v.type === 'REG_DWORD' ? `0x${Number(v.data).toString(16)}` : v.data,
    }));
    const { raw, problems } = registryValuesToRaw(asRegQuery);
    expect(problems).toEqual([]);
    expect(ManagedPolicy.parse(raw)).toMatchObject({
      autoUpdate: true,
      startAtLogin: true,
      notifyNewIncidents: false,
      updateChannel: 'latest',
    });
  });
});

describe('macOS configuration profile (org.klaxon.desktop)', () => {
  type Plist = string | number | boolean | Plist[] | { [k: string]: Plist };
  function plistValue(el: Element): Plist {
    switch (el.tagName) {
      case 'string':
        return el.textContent ?? '';
      case 'integer':
        return Number(el.textContent);
      case 'true':
        return true;
      case 'false':
        return false;
      case 'array':
        return directChildren(el).map(plistValue);
      case 'dict': {
        const out: Record<string, Plist> = {};
        const kids = directChildren(el);
        for (let i = 0; i < kids.length; i += 2) {
          expect(kids[i]!.tagName).toBe('key');
          out[kids[i]!.textContent ?? ''] = plistValue(kids[i + 1]!);
        }
        return out;
      }
      default:
        throw new Error(`unexpected plist element <${el.tagName}>`);
    }
  }
  const text = read('macos/org.klaxon.desktop.mobileconfig');
  const doc = parseXml(text);
  const profile = plistValue(directChildren(doc.documentElement as unknown as Element)[0]!) as Record<string, Plist>;
  const payloads = profile.PayloadContent as Record<string, Plist>[];

  it('is a configuration profile with one payload for the org.klaxon.desktop domain', () => {
    expect(profile.PayloadType).toBe('Configuration');
    expect(profile.PayloadVersion).toBe(1);
    expect(payloads).toHaveLength(1);
    expect(payloads[0]!.PayloadType).toBe('org.klaxon.desktop');
    const uuid = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;
    expect(profile.PayloadUUID).toMatch(uuid);
    expect(payloads[0]!.PayloadUUID).toMatch(uuid);
    expect(payloads[0]!.PayloadUUID).not.toBe(profile.PayloadUUID);
  });

  it('names exactly the settings, as <string> or <true/>/<false/>, with valid values', () => {
    const settings = Object.fromEntries(Object.entries(payloads[0]!).filter(([k]) => !k.startsWith('Payload')));
    expect(sorted(Object.keys(settings))).toEqual(sorted(SETTING_KEYS));
    for (const [k, v] of Object.entries(settings)) expect(typeof v, k).toBe(kindOf(k as SettingKey));
    expect(ManagedPolicy.safeParse(settings).success).toBe(true);
  });

  it("reads back through the desktop app's managed-preferences reader", async () => {
    const { parseXmlPlist } = await import('#electron/managed-policy/macos-managed-preferences.js');
    const parsed = parseXmlPlist(text) as { PayloadContent: Record<string, unknown>[] };
    const settings = Object.fromEntries(
      Object.entries(parsed.PayloadContent[0]!).filter(([k]) => !k.startsWith('Payload')),
    );
    expect(ManagedPolicy.parse(settings)).toMatchObject({
      serverUrl: 'https://klaxon.example.com',
      autoUpdate: true,
      notifyNewIncidents: false,
    });
  });
});

describe('Linux /etc/klaxon/policy.json example', () => {
  let dir: string | null = null;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = null;
  });

  it('names exactly the settings and passes ManagedPolicy', () => {
    const example = JSON.parse(read('linux/policy.json')) as Record<string, unknown>;
    expect(sorted(Object.keys(example))).toEqual(sorted(SETTING_KEYS));
    for (const [k, v] of Object.entries(example)) expect(typeof v, k).toBe(kindOf(k as SettingKey));
    expect(ManagedPolicy.parse(example)).toEqual(example);
  });

  // File owners and modes are POSIX; the reader only runs on Linux.
  it.runIf(process.platform !== 'win32')(
    "is accepted by the desktop app's reader when installed as documented (mode 644)",
    async () => {
      const { readLinuxPolicy } = await import('#electron/managed-policy/linux-policy-file.js');
      dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-policy-'));
      const file = path.join(dir, 'policy.json');
      writeFileSync(file, read('linux/policy.json'));
      chmodSync(file, 0o644);
      const r = readLinuxPolicy(file, { requiredOwnerUid: process.getuid!() });
      expect(r.problems).toEqual([]);
      expect(sorted(Object.keys(r.policy))).toEqual(sorted(SETTING_KEYS));
    },
  );

  it('is documented in the README with the same keys and types', () => {
    const readme = read('README.md');
    for (const key of SETTING_KEYS) expect(readme, key).toContain(`| \`${key}\` |`);
    expect(readme).toContain('`REG_DWORD` | `1` = on, `0` = off');
  });
});
