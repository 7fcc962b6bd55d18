// Windows policy: reg.exe is run by its full path under %SystemRoot%, never looked up in PATH.
import { describe, expect, it, vi } from 'vitest';

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
