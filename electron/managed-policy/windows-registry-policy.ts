/**
 * Windows: `HKLM\Software\Policies\Klaxon`, written by Group Policy (the ADMX template). Read by
 * running `reg.exe query` and parsing its text output, which avoids a native registry module
 * (native modules cannot be rebuilt for Electron on the build machines).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { SETTING_KEYS, settingsShape, type SettingKey } from '#common/index.js';
import { noPolicy, policyFromRaw, type PolicyReadResult } from './policy-result.js';

const WINDOWS_POLICY_KEY = 'HKLM\\Software\\Policies\\Klaxon';

export interface RegistryValue {
  name: string;
  type: string;
  data: string;
}

/**
 * Parses `reg query <key>` output:
 *   HKEY_LOCAL_MACHINE\Software\Policies\Klaxon
 *       serverUrl    REG_SZ    https://klaxon.example.org
 *       autoUpdate    REG_DWORD    0x0
 * Values of subkeys (further `HKEY_…` headers) are not ours and are skipped.
 */
export function parseRegQueryOutput(output: string): RegistryValue[] {
  const values: RegistryValue[] = [];
  let inRoot = false;
  let seenHeader = false;
  for (const line of output.split(/\r?\n/)) {
    if (/^HKEY_/i.test(line)) {
      inRoot = !seenHeader; // only the first header is the key we asked for
      seenHeader = true;
      continue;
    }
    if (!inRoot) continue;
    const m =
      /^\s+(.+?)\s{2,}(REG_[A-Z_]+)(?:\s{2,}(.*))?$/.exec(line) ?? /^\s+(.+?)\s+(REG_[A-Z_]+)\s*(.*)$/.exec(line);
    if (m) values.push({ name: m[1]!, type: m[2]!, data: (m[3] ?? '').trimEnd() });
  }
  return values;
}

/** Registry values → raw policy values typed for the settings schema (DWORD 0/1 → boolean for boolean keys). */
export function registryValuesToRaw(values: readonly RegistryValue[]): {
  raw: Record<string, unknown>;
  problems: string[];
} {
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const v of values) {
    const key = v.name;
    if (!(SETTING_KEYS as readonly string[]).includes(key)) {
      raw[key] = v.data; // let validation name it as unknown
      continue;
    }
    const isBoolean = settingsShape[key as SettingKey].safeParse(true).success;
    if (v.type === 'REG_DWORD' || v.type === 'REG_QWORD') {
      const n = Number.parseInt(v.data, v.data.toLowerCase().startsWith('0x') ? 16 : 10);
      if (isBoolean) raw[key] = n !== 0;
      else
        problems.push(
          `policy ${WINDOWS_POLICY_KEY}: "${key}" must be a string value (REG_SZ), found ${v.type}; ignored.`,
        );
    } else if (v.type === 'REG_SZ' || v.type === 'REG_EXPAND_SZ') {
      if (isBoolean && /^(true|false|0|1)$/i.test(v.data)) raw[key] = /^(true|1)$/i.test(v.data);
      else raw[key] = v.data;
    } else {
      problems.push(`policy ${WINDOWS_POLICY_KEY}: "${key}" has unsupported type ${v.type}; ignored.`);
    }
  }
  return { raw, problems };
}

export type RegQuery = (key: string) => Promise<{ code: number; stdout: string; stderr: string }>;

/**
 * `%SystemRoot%\System32\reg.exe` by full path: a bare `reg.exe` is looked up in the current
 * directory and PATH first, where anyone who can write a folder there could plant a fake one that
 * "reads" whatever policy they like (a different server URL, updates on).
 */
export function regExePath(env: Record<string, string | undefined> = process.env): string {
  const root = env.SystemRoot ?? env.SYSTEMROOT ?? env.windir ?? 'C:\\Windows';
  return path.win32.join(root, 'System32', 'reg.exe');
}

const runRegExe: RegQuery = (key) =>
  new Promise((resolve) => {
    execFile(regExePath(), ['query', key], { windowsHide: true, timeout: 10_000 }, (err, stdout, stderr) => {
      const code = err
        ? typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === 'number'
          ? (err as unknown as { code: number }).code
          : 1
        : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });

export async function readWindowsPolicy(query: RegQuery = runRegExe): Promise<PolicyReadResult> {
  const r = await query(WINDOWS_POLICY_KEY);
  if (r.code !== 0) {
    // reg.exe exits 1 with "unable to find the specified registry key" when no policy is deployed.
    if (/unable to find/i.test(r.stderr) || r.stdout.trim() === '') return noPolicy();
    return noPolicy([
      `policy ${WINDOWS_POLICY_KEY} could not be read (${r.stderr.trim() || `reg.exe exit ${r.code}`}); no policy applied.`,
    ]);
  }
  const { raw, problems } = registryValuesToRaw(parseRegQueryOutput(r.stdout));
  const result = policyFromRaw(raw, WINDOWS_POLICY_KEY);
  return { ...result, problems: [...problems, ...result.problems] };
}
