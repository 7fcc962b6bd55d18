import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { AccessReview } from '#common/index.js';
import { useApi } from '../api-context.js';
import { auditTime, powerWords, usesWords } from '../../model/audit-view.js';

/** Who used Klaxon's powers, with their groups at last use, and who has not for N months. */
export function AccessReviewSection() {
  const api = useApi();
  const [months, setMonths] = useState('6');
  const [review, setReview] = useState<AccessReview | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const load = useCallback(
    async (m: number) => {
      if (!api.accessReview) return;
      const r = await api.accessReview(m);
      if (!r.ok) {
        setMessage(`Klaxon could not build the access review: ${r.error.message}`);
        return;
      }
      setMessage(null);
      setReview(r.value);
    },
    [api],
  );
  useEffect(() => void load(6), [load]);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    const m = Number(months);
    if (!Number.isInteger(m) || m < 1 || m > 120) {
      setMessage('Months must be a whole number from 1 to 120.');
      return;
    }
    void load(m);
  };

  return (
    <section className="audit-section" aria-labelledby="access-review-title">
      <h3 id="access-review-title">Access review</h3>
      <p className="notice small-text">
        Everyone who {powerWords()} through Klaxon while the log keeps their entries, with the groups on their sign-in
        at their last use. Klaxon only sees people who signed in and used it: group membership itself lives in the
        identity provider, so review the groups there and remove whoever no longer needs them.
      </p>
      <form className="audit-filter" onSubmit={apply} aria-label="Access review period">
        <label>
          Not used for (months)
          <input type="number" min={1} max={120} value={months} onChange={(e) => setMonths(e.target.value)} />
        </label>
        <div className="audit-actions">
          <button type="submit" className="small">
            Update review
          </button>
        </div>
      </form>
      <div role="status" aria-live="polite">
        {message && <p className="warning">{message}</p>}
        {review && !message && (
          <p className="muted small-text">
            {review.people.filter((p) => p.inactive).length} of {review.people.length} people have not used Klaxon since{' '}
            {auditTime(review.inactiveBefore)}.
          </p>
        )}
      </div>
      {review && review.people.length > 0 && (
        <div className="audit-table-wrap">
          <table className="audit-table" aria-label="Access review">
            <thead>
              <tr>
                <th scope="col">Person</th>
                <th scope="col">Groups at last use</th>
                <th scope="col">Last use</th>
                <th scope="col">Uses</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {review.people.map((p) => (
                <tr key={p.sub} className={p.inactive ? 'audit-inactive' : undefined}>
                  <td>{`${p.name ?? p.sub} (${p.sub})`}</td>
                  <td>{p.groups ? p.groups.join(', ') || 'none' : 'not recorded'}</td>
                  <td>
                    {p.lastUse}, <time dateTime={p.lastUsedAt}>{auditTime(p.lastUsedAt)}</time>
                  </td>
                  <td>{usesWords(p)}</td>
                  <td>{p.inactive ? `Not used in ${review.months} months` : 'In use'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
