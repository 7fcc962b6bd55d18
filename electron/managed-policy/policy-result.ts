import type { ManagedPolicy } from '#common/index.js';
import { validSettingsLayer } from '../settings.js';

/** What a platform's policy reader found: the valid keys, where they came from, and every problem by name. */
export interface PolicyReadResult {
  policy: ManagedPolicy;
  /** File or registry key the policy came from; null when none is present. */
  source: string | null;
  problems: string[];
}

export const noPolicy = (problems: string[] = []): PolicyReadResult => ({ policy: {}, source: null, problems });

/** Validates raw policy values key by key: invalid or unknown keys are named and ignored, never fatal. */
export function policyFromRaw(raw: unknown, source: string): PolicyReadResult {
  const { values, problems } = validSettingsLayer(raw, `policy ${source}`);
  return { policy: values, source, problems: problems.map((p) => p.message) };
}
