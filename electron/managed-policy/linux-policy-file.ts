/**
 * Linux: `/etc/klaxon/policy.json`, trusted only if root owns it, it is not a symlink, and neither
 * group nor others may write it (Bitwarden's managed-settings rule). Otherwise any local user who
 * can write it could point Klaxon at their own server.
 */
import { lstatSync, readFileSync } from 'node:fs';
import { noPolicy, policyFromRaw, type PolicyReadResult } from './policy-result.js';

const LINUX_POLICY_FILE = '/etc/klaxon/policy.json';

export function readLinuxPolicy(file = LINUX_POLICY_FILE, opts: { requiredOwnerUid?: number } = {}): PolicyReadResult {
  const owner = opts.requiredOwnerUid ?? 0;
  let st;
  try {
    st = lstatSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return noPolicy();
    return noPolicy([`policy ${file} could not be read (${(e as Error).message}); no policy applied.`]);
  }
  if (st.isSymbolicLink())
    return noPolicy([
      `policy ${file} is a symbolic link; ignored for safety (it must be a regular file owned by root).`,
    ]);
  if (!st.isFile()) return noPolicy([`policy ${file} is not a regular file; ignored.`]);
  if (st.uid !== owner) return noPolicy([`policy ${file} is not owned by root (uid ${st.uid}); ignored for safety.`]);
  if ((st.mode & 0o022) !== 0)
    return noPolicy([
      `policy ${file} can be written by group or others (mode ${(st.mode & 0o777).toString(8)}); ignored for safety. Run: chmod 644 ${file}`,
    ]);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return noPolicy([`policy ${file} is not valid JSON (${(e as Error).message}); no policy applied.`]);
  }
  return policyFromRaw(raw, file);
}
