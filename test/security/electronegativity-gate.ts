/**
 * The Electronegativity gate: scans Klaxon's main process and preload (electron/) together with the
 * renderer's index.html (so the CSP is seen), parses the CSV (Electronegativity exits 0 even with
 * findings), and fails on any finding of MEDIUM severity or above that is not on the allowlist below.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Finding { issue: string; severity: string; confidence: string; filename: string; location: string; sample: string; description: string; url: string }

/**
 * Manual-review prompts that are expected on a correct app, each with why it is fine here.
 * Keyed by check id and file; anything else at MEDIUM or above fails the gate.
 */
export const ALLOWLIST: { issue: string; file: string; why: string }[] = [
  {
    issue: 'OPEN_EXTERNAL_JS_CHECK', file: 'electron/shell/klaxon-app.ts',
    why: 'openBrowser only receives the authorization URL built by electron/oidc-sign-in.ts, which refuses anything but the issuer\'s authorization endpoint over https (refuseAuthorizeUrl); openExternal only receives URLs that passed electron/external-links.ts (config contacts, ticket URL, On-Call incident links; https/tel/mailto).',
  },
  {
    issue: 'OPEN_EXTERNAL_JS_CHECK', file: 'electron/desktop-core.ts',
    why: 'deps.openExternal is called only after refuseExternalUrl() accepted the URL (allow-list from the server configuration and incident links).',
  },
  {
    issue: 'PRELOAD_JS_CHECK', file: 'electron/shell/popover-window.ts',
    why: 'The preload (electron/shell/preload.ts) exposes only window.klaxon with the channel allow-list of common/ipc.ts, drops the IpcRendererEvent, and runs sandboxed with contextIsolation.',
  },
];

const REPO = path.resolve(import.meta.dirname, '../..');
const SEVERITY_RANK: Record<string, number> = { INFORMATIONAL: 0, LOW: 1, MEDIUM: 2, HIGH: 3, CRITICAL: 4 };

/** RFC 4180 CSV (quoted fields, doubled quotes, commas and newlines inside quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); field = '';
      if (row.some((f) => f.trim() !== '')) rows.push(row);
      row = [];
    } else field += c;
  }
  row.push(field);
  if (row.some((f) => f.trim() !== '')) rows.push(row);
  return rows;
}

export function findingsFromCsv(text: string): Finding[] {
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  const names = header.map((h) => h.trim());
  return rows.map((r) => Object.fromEntries(names.map((n, i) => [n, (r[i] ?? '').trim()])) as unknown as Finding);
}

export function judge(findings: readonly Finding[], allowlist = ALLOWLIST): { failing: Finding[]; allowed: Finding[]; below: Finding[] } {
  const failing: Finding[] = [];
  const allowed: Finding[] = [];
  const below: Finding[] = [];
  for (const f of findings) {
    if ((SEVERITY_RANK[f.severity.toUpperCase()] ?? 4) < SEVERITY_RANK.MEDIUM!) below.push(f);
    else if (allowlist.some((a) => a.issue === f.issue && a.file === f.filename)) allowed.push(f);
    else failing.push(f);
  }
  return { failing, allowed, below };
}

function electronVersion(root: string): string {
  try {
    return (JSON.parse(readFileSync(path.join(root, 'node_modules/electron/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '45.0.0';
  }
}

/** Copies the inputs into one tree (paths stay repo-relative in the report) and runs the scanner. */
export async function scan(root: string, inputs: string[]): Promise<Finding[]> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'klaxon-eng-'));
  try {
    const tree = path.join(work, 'src');
    for (const input of inputs) {
      const from = path.join(root, input);
      if (!existsSync(from)) throw new Error(`${input} does not exist`);
      mkdirSync(path.dirname(path.join(tree, input)), { recursive: true });
      cpSync(from, path.join(tree, input), { recursive: true });
    }
    const csv = path.join(work, 'report.csv');
    const bin = path.join(REPO, 'node_modules/.bin/electronegativity');
    const code = await new Promise<number>((resolve) => {
      const child = spawn(bin, ['-i', tree, '-r', '-e', electronVersion(REPO), '-x', 'AvailableSecurityFixesGlobalCheck', '-o', csv], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.resume();
      child.stderr.resume();
      child.on('exit', (c) => resolve(c ?? 1));
      child.on('error', () => resolve(1));
    });
    if (!existsSync(csv)) throw new Error(`electronegativity wrote no report (exit ${code})`);
    return findingsFromCsv(readFileSync(csv, 'utf8'));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
