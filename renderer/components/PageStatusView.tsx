import type { FallbackContact, Page } from '#common/index.js';
import { fallbackContactDetail } from '../model/fallback-contacts.js';
import { describePageStatus, MY_PAGES_SHOWN, pageSteps, STEP_STATE_WORDS } from '../model/page-status.js';
import { relativeTime } from '../model/relative-time.js';
import { ExternalLink } from './ExternalLink.js';
import { AlertIcon, CheckIcon, ClockIcon, DoneIcon } from './icons.js';

/**
 * Follows one page: queued → delivered → incident #N → acknowledged by X, or "NOT reached On-Call
 * yet". With `foldWhenDone` (the home screen), an acknowledged or resolved page shrinks to one
 * compact line under its headline: it no longer needs the room, and "My recent pages" keeps it. The
 * live region keeps its place in both forms, so the change to "Acknowledged by …" is announced.
 */
export function PageStatusView({
  page,
  now,
  fallbackContacts,
  headingLevel = 3,
  foldWhenDone = false,
}: {
  page: Page;
  now: number;
  fallbackContacts: readonly FallbackContact[];
  headingLevel?: 2 | 3;
  foldWhenDone?: boolean;
}) {
  const text = describePageStatus(page, now);
  const H = headingLevel === 2 ? 'h2' : 'h3';
  const folded = foldWhenDone && text.settled;
  return (
    <div
      className={`page-status tone-${text.tone}${folded ? ' folded' : ''}`}
      data-testid="page-status"
      data-status={page.status}
    >
      {!folded && (
        <H className="page-status-title">
          Your page: <q>{page.summary}</q>
        </H>
      )}
      {!folded && (
        <p className="muted small-text">
          Sent {relativeTime(page.createdAt, now)} to {page.target.label}
        </p>
      )}
      <div role="status" aria-live="polite" aria-atomic="true" className="page-headline" data-testid="page-headline">
        {text.tone === 'bad' ? <AlertIcon /> : text.tone === 'good' ? <CheckIcon /> : <ClockIcon />}
        <div>
          <strong>{text.headline}</strong>
          {folded ? (
            <p className="page-folded-summary">
              Your page <q>{page.summary}</q>
            </p>
          ) : (
            text.detail && <p>{text.detail}</p>
          )}
        </div>
      </div>
      {text.countdown && (
        <p className="page-countdown" data-testid="page-countdown">
          {text.countdown}
        </p>
      )}
      {!folded && <PageSteps page={page} />}
      {text.notReached && <FallbackContacts contacts={fallbackContacts} />}
    </div>
  );
}

function PageSteps({ page }: { page: Page }) {
  return (
    <ol className="steps" aria-label="Progress of your page">
      {pageSteps(page).map((s) => (
        <li key={s.key} className={`step step-${s.state}`}>
          {s.state === 'done' ? (
            <DoneIcon />
          ) : s.state === 'failed' ? (
            <AlertIcon />
          ) : (
            <span className="step-dot" aria-hidden="true" />
          )}
          <span>{s.label}</span>
          <span className="visually-hidden">{STEP_STATE_WORDS[s.state]}</span>
        </li>
      ))}
    </ol>
  );
}

export function FallbackContacts({ contacts, intro }: { contacts: readonly FallbackContact[]; intro?: string }) {
  return (
    <div className="fallback" data-testid="fallback-contacts">
      <p>
        <strong>{intro ?? 'Reach SRE another way now:'}</strong>
      </p>
      {contacts.length === 0 ? (
        <p>No fallback contacts are configured. Ask your team lead how to reach SRE in an emergency.</p>
      ) : (
        <ul>
          {contacts.map((c) => (
            <li key={c.href}>
              <ExternalLink href={c.href} className="fallback-link">
                {c.label}
              </ExternalLink>
              <span className="muted"> ({fallbackContactDetail(c)})</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function MyPagesList({ pages, now }: { pages: readonly Page[]; now: number }) {
  if (pages.length === 0) return <p className="muted">You have not sent any pages recently.</p>;
  return (
    <ul className="my-pages">
      {pages.slice(0, MY_PAGES_SHOWN).map((p) => {
        const t = describePageStatus(p, now);
        return (
          <li key={p.id} className={`tone-${t.tone}`}>
            <span className="my-page-summary">{p.summary}</span>
            <span className="muted small-text">
              {' '}
              {relativeTime(p.createdAt, now)} · {t.headline}
            </span>
            {t.tone === 'good' && <DoneIcon />}
          </li>
        );
      })}
    </ul>
  );
}
