import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { AUDIT_ACTIONS, type AuditRecord } from '#common/index.js';
import { useApi } from '../api-context.js';
import {
  EMPTY_AUDIT_FILTER,
  actionWords,
  auditFilterQuery,
  auditTime,
  entrySubject,
  showingWords,
  type AuditFilterForm,
} from '../../model/audit-view.js';

type Query = Record<string, string | undefined>;

/** The audit log: a filter form, the matching entries newest first, "Show older entries", downloads. */
export function AuditLogSection() {
  const api = useApi();
  const [form, setForm] = useState<AuditFilterForm>(EMPTY_AUDIT_FILTER);
  const [query, setQuery] = useState<Query>({});
  const [entries, setEntries] = useState<AuditRecord[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [retentionDays, setRetentionDays] = useState<number | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(
    async (q: Query, after: string | null) => {
      if (!api.auditLog) return;
      setBusy(true);
      const r = await api.auditLog({ ...q, ...(after ? { cursor: after } : {}) });
      setBusy(false);
      if (!r.ok) {
        setMessage(`Klaxon could not read the audit log: ${r.error.message}`);
        return;
      }
      setMessage(null);
      setEntries((prev) => (after && prev ? [...prev, ...r.value.entries] : r.value.entries));
      setCursor(r.value.nextCursor);
      setRetentionDays(r.value.retentionDays);
    },
    [api],
  );

  useEffect(() => void load({}, null), [load]);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    const f = auditFilterQuery(form);
    if (!f.ok) {
      setMessage(f.message);
      return;
    }
    setQuery(f.query);
    void load(f.query, null);
  };
  const field = (key: keyof AuditFilterForm) => ({
    value: form[key],
    onChange: (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value }),
  });

  return (
    <section className="audit-section" aria-labelledby="audit-log-title">
      <h3 id="audit-log-title">Audit log</h3>
      <form className="audit-filter" onSubmit={apply} aria-label="Filter the audit log">
        <label>
          Person (name or account)
          <input type="text" {...field('person')} />
        </label>
        <label>
          Action
          <select {...field('action')}>
            <option value="">Any action</option>
            {AUDIT_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {actionWords(a)}
              </option>
            ))}
          </select>
        </label>
        <label>
          From (day)
          <input type="date" {...field('fromDate')} />
        </label>
        <label>
          To (day, included)
          <input type="date" {...field('toDate')} />
        </label>
        <div className="audit-actions">
          <button type="submit" className="primary small" disabled={busy}>
            Apply filter
          </button>
          {api.auditExportUrl && (
            <>
              <a href={api.auditExportUrl(query, 'csv')} download>
                Download CSV
              </a>
              <a href={api.auditExportUrl(query, 'json')} download>
                Download JSON
              </a>
            </>
          )}
        </div>
      </form>
      <div role="status" aria-live="polite">
        {message && <p className="warning">{message}</p>}
        {entries && !message && (
          <p className="muted small-text">
            {showingWords(entries.length)}
            {retentionDays !== null && ` Entries are kept for ${retentionDays} days.`}
          </p>
        )}
      </div>
      {entries && entries.length > 0 && (
        <div className="audit-table-wrap">
          <table className="audit-table" aria-label="Audit log entries">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Person</th>
                <th scope="col">Groups then</th>
                <th scope="col">Action</th>
                <th scope="col">About</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td>
                    <time dateTime={e.at}>{auditTime(e.at)}</time>
                  </td>
                  <td>{e.actor ? `${e.actor.name ?? e.actor.sub} (${e.actor.sub})` : 'Klaxon server'}</td>
                  <td>{e.groups ? e.groups.join(', ') || 'none' : 'not recorded'}</td>
                  <td>{actionWords(e.action)}</td>
                  <td>{entrySubject(e)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <button type="button" className="small" disabled={busy} onClick={() => void load(query, cursor)}>
          Show older entries
        </button>
      )}
    </section>
  );
}
