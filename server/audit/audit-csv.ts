import type { AuditRecord } from '#common/index.js';

/**
 * A spreadsheet runs a cell that starts with one of these as a formula (CSV injection, OWASP's
 * "CSV Injection" page): such a cell gets a leading apostrophe, which spreadsheets show as text.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell (RFC 4180): formula starts defused, then quoted when it holds a comma, quote or line break. */
export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const COLUMNS = ['id', 'at', 'actor_sub', 'actor_name', 'groups', 'action', 'page_id', 'detail'] as const;

/** The audit export as CSV: a header line, then one line per entry; groups joined by spaces, detail as JSON. */
export function auditCsv(records: readonly AuditRecord[]): string {
  const lines = [COLUMNS.join(',')];
  for (const r of records) {
    const cells = [
      r.id,
      r.at,
      r.actor?.sub ?? '',
      r.actor?.name ?? '',
      r.groups?.join(' ') ?? '',
      r.action,
      r.pageId ?? '',
      JSON.stringify(r.detail),
    ];
    lines.push(cells.map(csvCell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
