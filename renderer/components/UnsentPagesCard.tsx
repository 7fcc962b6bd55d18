import { useEffect, useRef, useState } from 'react';
import { unsentKey, type FallbackContact, type UnsentPage } from '#common/index.js';
import { relativeTime } from '../model/relative-time.js';
import { describeUnsent, unsentHeading, whereKept } from '../model/unsent-pages.js';
import { useApi } from './api-context.js';
import { AlertIcon } from './icons.js';
import { FallbackContacts } from './PageStatusView.js';

/**
 * "1 page NOT sent yet — Klaxon keeps trying": the pages the server has not confirmed, first on
 * the home screen, each with Try again now and Discard, and the other ways to reach SRE.
 */
export function UnsentPagesCard({
  pages,
  now,
  fallbackContacts,
  onItemGone,
}: {
  pages: readonly UnsentPage[];
  now: number;
  fallbackContacts: readonly FallbackContact[];
  /** An item that had the focus left (sent or discarded): where the focus goes instead of nowhere. */
  onItemGone(): void;
}) {
  const api = useApi();
  if (pages.length === 0) return null;
  return (
    <section className="unsent-card" aria-labelledby="unsent-title" data-testid="unsent-pages">
      <div role="status" aria-live="polite">
        <h2 id="unsent-title">
          <AlertIcon /> {unsentHeading(pages)}
        </h2>
      </div>
      <p className="small-text">
        {whereKept(api.kind)} and sends the same page until the Klaxon server answers: it cannot page SRE twice.
      </p>
      <ul className="unsent-list">
        {pages.map((u) => (
          <UnsentItem key={unsentKey(u)} unsent={u} now={now} onGone={onItemGone} />
        ))}
      </ul>
      <FallbackContacts contacts={fallbackContacts} intro="If this cannot wait, reach SRE another way now:" />
    </section>
  );
}

function UnsentItem({ unsent: u, now, onGone }: { unsent: UnsentPage; now: number; onGone(): void }) {
  const api = useApi();
  // Whether the focus is in this item, so its leaving (sent, discarded) does not drop the focus.
  const focused = useRef(false);
  const gone = useRef(onGone);
  gone.current = onGone;
  useEffect(
    () => () => {
      if (focused.current) gone.current();
    },
    [],
  );
  const [trying, setTrying] = useState(false);
  const [confirmDiscard, setConfirmDiscard] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const text = describeUnsent(u, now);
  const key = unsentKey(u);

  const tryNow = async () => {
    setTrying(true);
    setError(null);
    const r = await api.retryUnsent(key);
    setTrying(false);
    if (!r.ok) setError(r.error.message);
  };
  const discard = async () => {
    const r = await api.discardUnsent(key);
    if (!r.ok) setError(r.error.message);
  };

  return (
    <li
      className="unsent-item"
      data-testid="unsent-page"
      onFocus={() => (focused.current = true)}
      onBlur={() => (focused.current = false)}
    >
      <p className="unsent-summary">
        <q>{u.request.summary}</q>{' '}
        <span className="muted small-text">
          to {u.targetLabel}, first tried {relativeTime(u.firstTriedAt, now)}
        </span>
      </p>
      <p role="status" aria-live="polite" className="unsent-status">
        <strong>{text.status}</strong>
      </p>
      {text.countdown && (
        <p className="unsent-countdown" data-testid="unsent-countdown">
          {trying ? 'Trying again now…' : text.countdown}
        </p>
      )}
      {confirmDiscard ? (
        <div className="unsent-actions" role="group" aria-label="Discard this page?">
          <span>Discard it? Klaxon will not send it.</span>
          <button type="button" className="secondary small" onClick={() => void discard()}>
            Discard page
          </button>
          <button type="button" className="secondary small" autoFocus onClick={() => setConfirmDiscard(false)}>
            {text.refused ? 'Keep it' : 'Keep trying'}
          </button>
        </div>
      ) : (
        <div className="unsent-actions">
          {!text.refused && (
            <button type="button" className="primary small" disabled={trying} onClick={() => void tryNow()}>
              {trying ? 'Trying…' : 'Try again now'}
            </button>
          )}
          <button type="button" className="secondary small" onClick={() => setConfirmDiscard(true)}>
            Discard
          </button>
        </div>
      )}
      <div role="alert">{error && <p className="error-text">{error}</p>}</div>
    </li>
  );
}
