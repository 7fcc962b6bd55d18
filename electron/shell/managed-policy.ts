/** Reads the managed policy for this platform at start-up (the readers themselves are Electron-free). */
import { readManagedPolicy, type PolicyReadResult } from '../managed-policy/index.js';

export function loadManagedPolicy(log: (m: string) => void): Promise<PolicyReadResult> {
  return readManagedPolicy(process.platform, log);
}
