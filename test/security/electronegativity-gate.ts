/**
 * The Electronegativity gate: scans Klaxon's main process and preload (electron/) together with the
 * renderer's index.html (so the CSP is seen), parses the CSV (Electronegativity exits 0 even with
 * findings), and fails on any finding of MEDIUM severity or above that is not on the allowlist below.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Finding {
  issue: string;
  severity: string;
  confidence: string;
  filename: string;
  location: string;
  sample: string;
  description: string;
  url: string;
}

export interface AllowlistEntry {
  issue: string;
  file: string;
  /** The flagged line exactly as Electronegativity reports it (trimmed): a NEW call elsewhere in the file does not match. */
  sample: string;
  /** How many findings this entry may cover (the same line copied elsewhere in the file is one too many). */
  count: number;
  why: string;
}

/**
 * Manual-review prompts that are expected on a correct app, each with why it is fine here. Keyed by
 * check id + file + the flagged line (+ how many times); anything else at MEDIUM or above fails.
 */
const ALLOWLIST: AllowlistEntry[] = [
  {
    issue: 'OPEN_EXTERNAL_JS_CHECK',
    file: 'electron/shell/klaxon-app.ts',
    sample: 'openBrowser: (url) => shell.openExternal(url.href),',
    count: 1,
    why: "openBrowser only receives the authorization URL built by electron/oidc-sign-in.ts, which refuses anything but the issuer's authorization endpoint over https (refuseAuthorizeUrl).",
  },
  {
    issue: 'OPEN_EXTERNAL_JS_CHECK',
    file: 'electron/shell/klaxon-app.ts',
    sample: 'openExternal: (url) => shell.openExternal(url.href),',
    count: 1,
    why: 'openExternal only receives URLs that passed electron/external-links.ts (exactly a config contact, the ticket URL or an incident link from the server; https, or tel/mailto for configured contacts).',
  },
  {
    issue: 'OPEN_EXTERNAL_JS_CHECK',
    file: 'electron/ipc.ts',
    sample: 'await deps.openExternal(new URL(payload.url));',
    count: 1,
    why: 'deps.openExternal is called only after refuseExternalUrl() accepted the URL (allow-list from the server configuration and incident links).',
  },
  {
    issue: 'PRELOAD_JS_CHECK',
    file: 'electron/shell/popover-window.ts',
    sample: 'preload: preloadPath,',
    count: 1,
    why: 'The preload (electron/shell/preload.ts) exposes only window.klaxon with the channel allow-list of common/ipc.ts, drops the IpcRendererEvent, and runs sandboxed with contextIsolation.',
  },
];

/**
 * A finding every scan of Klaxon must report (the preload of the one window): if it is missing, the
 * report is broken (empty, header-only, garbled), not clean.
 */
export const KLAXON_CANARY: Canary = { issue: 'PRELOAD_JS_CHECK', file: 'electron/shell/popover-window.ts' };
export interface Canary {
  issue: string;
  file: string;
}

/** The first line Electronegativity 1.10 writes to a CSV report. */
export const EXPECTED_HEADER = 'issue, severity, confidence, filename, location, sample, description, url';
const FIELDS = 8;
const SEVERITY_RANK: Record<string, number> = { INFORMATIONAL: 0, LOW: 1, MEDIUM: 2, HIGH: 3, CRITICAL: 4 };

const REPO = path.resolve(import.meta.dirname, '../..');
export const ORDERED_WRITES = path.join(import.meta.dirname, 'ordered-write-file.cjs');

/** RFC 4180 CSV (quoted fields, doubled quotes, commas and newlines inside quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.some((f) => f.trim() !== '')) rows.push(row);
      row = [];
    } else field += c;
  }
  row.push(field);
  if (row.some((f) => f.trim() !== '')) rows.push(row);
  return rows;
}

export type ReportCheck = { ok: true; findings: Finding[] } | { ok: false; problem: string };

/**
 * Reads a CSV report and refuses one that cannot be trusted. Electronegativity writes the header and
 * the body as two unordered async writes, so a report can come out body-first, header-only (0
 * findings, exit 0) or interleaved: the first line must be exactly the header, every row must have 8
 * fields and a known severity, and the canary finding (when given) must be there.
 */
export function checkReport(text: string, opts: { canary?: Canary } = {}): ReportCheck {
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  if (firstLine !== EXPECTED_HEADER)
    return {
      ok: false,
      problem: `the first line is not the expected header (got ${JSON.stringify(firstLine.slice(0, 80))})`,
    };
  const [, ...rows] = parseCsv(text);
  const findings: Finding[] = [];
  for (const [n, r] of rows.entries()) {
    if (r.length !== FIELDS)
      return {
        ok: false,
        problem: `row ${n + 1} has ${r.length} fields, not ${FIELDS} (${JSON.stringify(r.join(',').slice(0, 80))})`,
      };
    const [issue, severity, confidence, filename, location, sample, description, url] = r.map((f) => f.trim()) as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    if (!(severity in SEVERITY_RANK))
      return { ok: false, problem: `row ${n + 1} has an unknown severity ${JSON.stringify(severity)}` };
    if (!/^[A-Z0-9_]+$/.test(issue))
      return { ok: false, problem: `row ${n + 1} has no check id (${JSON.stringify(issue.slice(0, 40))})` };
    findings.push({ issue, severity, confidence, filename, location, sample, description, url });
  }
  const canary = opts.canary;
  if (canary && !findings.some((f) => f.issue === canary.issue && f.filename === canary.file)) {
    return {
      ok: false,
      problem: `the canary finding ${canary.issue} on ${canary.file} is missing (${findings.length} finding(s) read)`,
    };
  }
  return { ok: true, findings };
}

/** Kept for callers that only want rows; throws on a report `checkReport` refuses. */
export function findingsFromCsv(text: string, opts: { canary?: Canary } = {}): Finding[] {
  const r = checkReport(text, opts);
  if (!r.ok) throw new Error(`unusable electronegativity report: ${r.problem}`);
  return r.findings;
}

export function allowedBy(f: Finding, allowlist: readonly AllowlistEntry[] = ALLOWLIST): AllowlistEntry | undefined {
  return allowlist.find((a) => a.issue === f.issue && a.file === f.filename && a.sample === f.sample.trim());
}

export function judge(
  findings: readonly Finding[],
  allowlist: readonly AllowlistEntry[] = ALLOWLIST,
): { failing: Finding[]; allowed: Finding[]; below: Finding[] } {
  const failing: Finding[] = [];
  const allowed: Finding[] = [];
  const below: Finding[] = [];
  const used = new Map<AllowlistEntry, number>();
  for (const f of findings) {
    if ((SEVERITY_RANK[f.severity.toUpperCase()] ?? 4) < SEVERITY_RANK.MEDIUM!) {
      below.push(f);
      continue;
    }
    const entry = allowedBy(f, allowlist);
    const n = entry ? (used.get(entry) ?? 0) + 1 : 0;
    if (entry && n <= entry.count) {
      used.set(entry, n);
      allowed.push(f);
    } else failing.push(f);
  }
  return { failing, allowed, below };
}

function electronVersion(root: string): string {
  try {
    return (
      JSON.parse(readFileSync(path.join(root, 'node_modules/electron/package.json'), 'utf8')) as { version: string }
    ).version;
  } catch {
    return '45.0.0';
  }
}

/** Runs the scanner once over `tree` and returns the raw CSV text. */
async function runScanner(tree: string, csv: string): Promise<string> {
  rmSync(csv, { force: true });
  const cli = path.join(REPO, 'node_modules/@doyensec/electronegativity/dist/index.js');
  const args = ['-i', tree, '-r', '-e', electronVersion(REPO), '-x', 'AvailableSecurityFixesGlobalCheck', '-o', csv];
  const code = await new Promise<number>((resolve) => {
    // The preload keeps the report's header and rows in order (see ordered-write-file.cjs).
    const child = spawn(process.execPath, ['--require', ORDERED_WRITES, cli, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.resume();
    child.stderr.resume();
    child.on('exit', (c) => resolve(c ?? 1));
    child.on('error', () => resolve(1));
  });
  if (!existsSync(csv)) throw new Error(`electronegativity wrote no report (exit ${code})`);
  return readFileSync(csv, 'utf8');
}

/**
 * Copies the inputs into one tree (paths stay repo-relative in the report), runs the scanner and
 * checks the report (`checkReport`). A broken report is scanned again (`attempts` in all, default 2)
 * before the gate gives up with the problem: a broken report never passes as "no findings".
 */
export async function scan(
  root: string,
  inputs: string[],
  opts: { canary?: Canary; attempts?: number } = {},
): Promise<Finding[]> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'klaxon-eng-'));
  try {
    const tree = path.join(work, 'src');
    for (const input of inputs) {
      const from = path.join(root, input);
      if (!existsSync(from)) throw new Error(`${input} does not exist`);
      mkdirSync(path.dirname(path.join(tree, input)), { recursive: true });
      cpSync(from, path.join(tree, input), { recursive: true });
    }
    const problems: string[] = [];
    for (let attempt = 1; attempt <= (opts.attempts ?? 2); attempt++) {
      const r = checkReport(
        await runScanner(tree, path.join(work, `report-${attempt}.csv`)),
        opts.canary ? { canary: opts.canary } : {},
      );
      if (r.ok) return r.findings;
      problems.push(`attempt ${attempt}: ${r.problem}`);
    }
    throw new Error(`electronegativity produced no usable report (${problems.join('; ')})`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
