/** Reads the managed policy for the platform Klaxon runs on (one schema everywhere). */
import os from 'node:os';
import { readLinuxPolicy } from './linux-policy-file.js';
import { readMacManagedPreferences } from './macos-managed-preferences.js';
import { readWindowsPolicy } from './windows-registry-policy.js';
import { noPolicy, type PolicyReadResult } from './policy-result.js';

export type { PolicyReadResult } from './policy-result.js';
export { readLinuxPolicy } from './linux-policy-file.js';
export { readMacManagedPreferences, parseXmlPlist } from './macos-managed-preferences.js';
export { readWindowsPolicy, parseRegQueryOutput, registryValuesToRaw } from './windows-registry-policy.js';

export async function readManagedPolicy(
  platform: NodeJS.Platform = process.platform,
  log: (m: string) => void = (m) => console.warn(`[policy] ${m}`),
): Promise<PolicyReadResult> {
  let r: PolicyReadResult;
  try {
    if (platform === 'linux') r = readLinuxPolicy();
    else if (platform === 'darwin') r = readMacManagedPreferences({ user: os.userInfo().username });
    else if (platform === 'win32') r = await readWindowsPolicy();
    else r = noPolicy();
  } catch (e) {
    r = noPolicy([`managed policy could not be read (${(e as Error).message}); none applied.`]);
  }
  for (const p of r.problems) log(p);
  return r;
}
