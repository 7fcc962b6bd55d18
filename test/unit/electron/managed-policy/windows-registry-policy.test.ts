// Windows policy: reg.exe output parsed and typed for the settings schema; reg.exe is run by its full
// path under %SystemRoot%, never looked up in PATH.
import { describe, expect, it, vi } from 'vitest';
import { parseRegQueryOutput, readWindowsPolicy, registryValuesToRaw } from '#electron/managed-policy/index.js';

const runs: { file: string; args: string[] }[] = [];
vi.mock('node:child_process', () => ({
  execFile: (
    file: string,
    args: string[],
    _opts: unknown,
    cb: (err: Error | null, stdout: string, stderr: string) => void,
  ) => {
    runs.push({ file, args });
    cb(null, 'HKEY_LOCAL_MACHINE\\Software\\Policies\\Klaxon\r\n    autoUpdate    REG_DWORD    0x0\r\n', '');
  },
}));

describe('Windows registry policy: which reg.exe runs', () => {
  it('runs %SystemRoot%\\System32\\reg.exe by full path', async () => {
    const { readWindowsPolicy, regExePath } = await import('#electron/managed-policy/windows-registry-policy.js');
    expect(regExePath({ SystemRoot: 'D:\\WINNT' })).toBe('D:\\WINNT\\System32\\reg.exe');
    expect(regExePath({})).toBe('C:\\Windows\\System32\\reg.exe');
    const saved = process.env.SystemRoot;
    process.env.SystemRoot = 'C:\\Windows';
    try {
      const r = await readWindowsPolicy();
      expect(r.policy).toEqual({ autoUpdate: false });
      expect(runs).toEqual([
        { file: 'C:\\Windows\\System32\\reg.exe', args: ['query', 'HKLM\\Software\\Policies\\Klaxon'] },
      ]);
    } finally {
      if (saved === undefined) delete process.env.SystemRoot;
      else process.env.SystemRoot = saved;
    }
  });
});

// Recorded from `reg.exe query HKLM\Software\Policies\Klaxon` on Windows 11 (values as the ADMX template writes them).
const REG_OUTPUT = [
  '',
  'HKEY_LOCAL_MACHINE\\Software\\Policies\\Klaxon',
  '    serverUrl    REG_SZ    https://klaxon.example.org',
  '    autoUpdate    REG_DWORD    0x0',
  '    startAtLogin    REG_DWORD    0x1',
  '    globalShortcut    REG_SZ    Ctrl+Alt+K',
  '    updateChannel    REG_DWORD    0x1',
  '    legacyThing    REG_SZ    whatever',
  '',
  'HKEY_LOCAL_MACHINE\\Software\\Policies\\Klaxon\\Sub',
  '    serverUrl    REG_SZ    https://not-this-one.example.org',
  '',
].join('\r\n');

describe('Windows registry policy', () => {
  it('parses reg.exe output (values of the key only, not of subkeys)', () => {
    expect(parseRegQueryOutput(REG_OUTPUT)).toEqual([
      { name: 'serverUrl', type: 'REG_SZ', data: 'https://klaxon.example.org' },
      { name: 'autoUpdate', type: 'REG_DWORD', data: '0x0' },
      { name: 'startAtLogin', type: 'REG_DWORD', data: '0x1' },
      { name: 'globalShortcut', type: 'REG_SZ', data: 'Ctrl+Alt+K' },
      { name: 'updateChannel', type: 'REG_DWORD', data: '0x1' },
      { name: 'legacyThing', type: 'REG_SZ', data: 'whatever' },
    ]);
  });
  it('maps DWORDs to booleans, and names wrong types and unknown values', async () => {
    const { problems } = registryValuesToRaw(parseRegQueryOutput(REG_OUTPUT));
    expect(problems[0]).toMatch(/"updateChannel" must be a string value \(REG_SZ\)/);
    const r = await readWindowsPolicy(async () => ({ code: 0, stdout: REG_OUTPUT, stderr: '' }));
    expect(r.policy).toEqual({
      serverUrl: 'https://klaxon.example.org',
      autoUpdate: false,
      startAtLogin: true,
      globalShortcut: 'Ctrl+Alt+K',
    });
    expect(r.problems.join('\n')).toMatch(/unknown setting "legacyThing"/);
  });
  it('no policy key deployed: no policy and no problem; other failures are reported', async () => {
    expect(
      await readWindowsPolicy(async () => ({
        code: 1,
        stdout: '',
        stderr: 'ERROR: The system was unable to find the specified registry key or value.',
      })),
    ).toEqual({ policy: {}, source: null, problems: [] });
    expect(
      (await readWindowsPolicy(async () => ({ code: 5, stdout: 'x', stderr: 'Access is denied.' }))).problems[0],
    ).toMatch(/Access is denied/);
  });
});
