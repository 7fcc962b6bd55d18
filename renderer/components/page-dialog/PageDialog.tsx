import { useEffect, useMemo, useRef, useState } from 'react';
import {
  mergePages,
  type Failure,
  DETAILS_MAX,
  SUMMARY_MAX,
  type ClientConfig,
  type Incident,
  type Me,
  type OnCallNow,
  type Page,
  type PageRequest,
} from '#common/index.js';
import { checkPageForm, counter, newIdempotencyKey, type PageFormErrors } from '../../model/page-form.js';

import { afterSendFailure, findSentPage, isDefinitiveRefusal, type SendAttempt } from '../../model/send-outcome.js';
import { findSimilarIncidents } from '../../model/similar-incidents.js';
import { relativeTime } from '../../model/relative-time.js';
import { whoWillBeWoken } from '../../model/who-is-woken.js';
import { useApi } from '../api-context.js';
import { EmergencyGuidance } from '../EmergencyGuidance.js';
import { PersonWithTime } from '../OnCallList.js';
import { FallbackContacts, PageStatusView } from '../PageStatusView.js';
import { AlertIcon } from '../icons.js';

type Step = 'compose' | 'confirm' | 'sent';
const NO_ERRORS: PageFormErrors = { summary: null, details: null };

export interface PageDialogProps {
  me: Me;
  config: ClientConfig | null;
  incidents: readonly Incident[];
  oncall: OnCallNow | null;
  pages: readonly Page[];
  now: number;
  onClose(): void;
}

/** "Wake up SRE": compose (with the similar-incident check) → confirm who is woken → send → follow. */
export function PageDialog({ me, config, incidents, oncall, pages, now, onClose }: PageDialogProps) {
  const api = useApi();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const sendingRef = useRef(false);
  const sendButtonRef = useRef<HTMLButtonElement>(null);
  const summaryRef = useRef<HTMLInputElement>(null);
  const detailsRef = useRef<HTMLTextAreaElement>(null);
  const [step, setStep] = useState<Step>('compose');
  const [summary, setSummary] = useState('');
  const [details, setDetails] = useState('');
  const targets = config?.targets ?? [];
  const [targetId, setTargetId] = useState(() => (targets.find((t) => t.isDefault) ?? targets[0])?.id ?? '');
  const [errors, setErrors] = useState<PageFormErrors>(NO_ERRORS);
  const [checked, setChecked] = useState(false);
  const [sending, setSending] = useState(false);
  const [sendError, setSendError] = useState<Failure | null>(null);
  const [sent, setSent] = useState<Page | null>(null);
  // One key for this dialog session: a double click or a retry after a lost answer cannot page twice.
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);
  // Set once a Send has left and until it is known to be refused: while the outcome is unknown the
  // text is locked and "Try again" resends exactly this request (same key, same body).
  const [pending, setPending] = useState<{ request: PageRequest; attempt: SendAttempt } | null>(null);
  const [uncertain, setUncertain] = useState<Failure | null>(null);
  const locked = pending !== null;

  useEffect(() => {
    const d = dialogRef.current;
    if (d && !d.open) d.showModal();
    summaryRef.current?.focus();
  }, []);
  useEffect(() => {
    if (step === 'confirm') sendButtonRef.current?.focus();
  }, [step]);

  const target = targets.find((t) => t.id === targetId) ?? null;
  const similar = useMemo(() => findSimilarIncidents(summary, incidents), [summary, incidents]);
  const woken = whoWillBeWoken(oncall, target);
  const live = sent ? (pages.find((p) => p.id === sent.id) ?? sent) : null;
  const fallback = config?.fallbackContacts ?? [];

  // While the outcome is unknown, the page may still show up (page event or the slow poll).
  useEffect(() => {
    if (!uncertain || !pending || sent) return;
    const found = findSentPage(pages, pending.attempt);
    if (found) {
      setSent(found);
      setUncertain(null);
      setStep('sent');
    }
  }, [uncertain, pending, pages, sent]);

  const onSummary = (v: string) => {
    setSummary(v);
    if (checked) setErrors((e) => ({ ...e, summary: checkPageForm(v, details).summary }));
  };
  const onDetails = (v: string) => {
    setDetails(v);
    if (checked) setErrors((e) => ({ ...e, details: checkPageForm(summary, v).details }));
  };

  const toConfirm = () => {
    const e = checkPageForm(summary, details);
    setChecked(true);
    setErrors(e);
    if (e.summary) return summaryRef.current?.focus();
    if (e.details) return detailsRef.current?.focus();
    setSendError(null);
    setStep('confirm');
  };

  const send = async () => {
    if (sendingRef.current || sent) return;
    sendingRef.current = true;
    setSending(true);
    setSendError(null);
    const current = pending ?? {
      request: { summary: summary.trim(), details, ...(target ? { target: target.id } : {}), idempotencyKey },
      attempt: {
        summary: summary.trim(),
        targetId: target?.id ?? null,
        firstSentAt: Date.now(),
        knownPageIds: new Set(pages.map((p) => p.id)),
      },
    };
    setPending(current);
    const r = await api.createPage(current.request);
    if (r.ok) {
      sendingRef.current = false;
      setSending(false);
      setUncertain(null);
      setSent(r.value);
      setStep('sent');
      return;
    }
    // Before saying anything, ask the server whether the page is there after all.
    const mine = isDefinitiveRefusal(r.error.code) ? null : await api.myPages();
    sendingRef.current = false;
    setSending(false);
    const decision = afterSendFailure(r.error.code, current.attempt, mergePages(pages, mine?.ok ? mine.value : []));
    if (decision.kind === 'follow') {
      setUncertain(null);
      setSent(decision.page);
      setStep('sent');
      return;
    }
    if (decision.kind === 'uncertain') {
      setUncertain(r.error);
      return;
    }
    setPending(null);
    setUncertain(null);
    setIdempotencyKey(newIdempotencyKey());
    if (r.error.code === 'invalid_request' && (r.error.field === 'summary' || r.error.field === 'details')) {
      setErrors({ ...NO_ERRORS, [r.error.field]: r.error.message });
      setStep('compose');
      return;
    }
    setSendError(r.error);
  };

  return (
    <dialog
      ref={dialogRef}
      className="page-dialog"
      aria-labelledby="page-dialog-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <div className="dialog-head">
        <h2 id="page-dialog-title">
          {step === 'sent' ? 'Following your page' : step === 'confirm' ? 'Confirm: wake up SRE' : 'Wake up SRE'}
        </h2>
        <button type="button" className="ghost" onClick={onClose} aria-label="Close">
          ✕
        </button>
      </div>

      {step === 'compose' && (
        <form
          className="dialog-body"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            toConfirm();
          }}
        >
          <p className="signed-in-as">
            Signed in as <strong>{me.user.name}</strong>
            {me.user.email ? ` (${me.user.email})` : ''}. Your name is included in the page so SRE can reach you.
          </p>
          {locked && (
            <p id="page-locked-note" className="warning" data-testid="page-locked-note">
              <AlertIcon /> Klaxon does not know yet whether your page was received, so it cannot be changed now:
              changing it could page SRE twice. Continue, then Try again sends the same page.
            </p>
          )}
          <div className="field">
            <div className="label-row">
              <label htmlFor="page-summary">Summary</label>
              <span
                id="page-summary-count"
                className={errors.summary ? 'counter over' : 'counter'}
                aria-label={`${counter(summary, SUMMARY_MAX)} characters`}
              >
                {counter(summary, SUMMARY_MAX)}
              </span>
            </div>
            <input
              id="page-summary"
              ref={summaryRef}
              type="text"
              autoComplete="off"
              value={summary}
              placeholder="What is broken, for whom?"
              readOnly={locked}
              aria-invalid={errors.summary ? true : undefined}
              aria-describedby={`page-summary-count${errors.summary ? ' page-summary-error' : ''}${locked ? ' page-locked-note' : ''}`}
              onChange={(e) => onSummary(e.target.value)}
            />
            {errors.summary && (
              <p id="page-summary-error" className="field-error" role="alert">
                <AlertIcon /> {errors.summary}
              </p>
            )}
          </div>

          <div className="similar-slot" aria-live="polite">
            {similar.length > 0 && (
              <div className="similar" data-testid="similar-incidents">
                <p>
                  <strong>Is it one of these? SRE already knows.</strong>
                </p>
                <ul>
                  {similar.map(({ incident: i }) => (
                    <li key={i.number}>
                      #{i.number} {i.title}{' '}
                      <span className="muted">
                        —{' '}
                        {i.phase === 'ACKED'
                          ? `acknowledged${i.ackedBy ? ` by ${i.ackedBy}` : ''}`
                          : 'not acknowledged yet, SRE is being paged'}
                        , {relativeTime(i.startedAt, now)}
                      </span>
                    </li>
                  ))}
                </ul>
                <p className="muted small-text">
                  If yours is one of these, there is no need to page: close this dialog.
                </p>
              </div>
            )}
          </div>

          <div className="field">
            <div className="label-row">
              <label htmlFor="page-details">Details (optional)</label>
              <span
                id="page-details-count"
                className={errors.details ? 'counter over' : 'counter'}
                aria-label={`${counter(details, DETAILS_MAX)} characters`}
              >
                {counter(details, DETAILS_MAX)}
              </span>
            </div>
            <textarea
              id="page-details"
              ref={detailsRef}
              rows={4}
              value={details}
              placeholder="What you see, since when, links, how to reach you"
              readOnly={locked}
              aria-invalid={errors.details ? true : undefined}
              aria-describedby={`page-details-count${errors.details ? ' page-details-error' : ''}${locked ? ' page-locked-note' : ''}`}
              onChange={(e) => onDetails(e.target.value)}
            />
            {errors.details && (
              <p id="page-details-error" className="field-error" role="alert">
                <AlertIcon /> {errors.details}
              </p>
            )}
          </div>

          <EmergencyGuidance ticketUrl={config?.ticketUrl ?? null} />

          {targets.length > 1 && (
            <div className="field">
              <label htmlFor="page-target">Send to</label>
              <select id="page-target" value={targetId} disabled={locked} onChange={(e) => setTargetId(e.target.value)}>
                {targets.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.label}
                  </option>
                ))}
              </select>
              {target?.description && <p className="muted small-text">{target.description}</p>}
            </div>
          )}

          <div className="dialog-actions">
            <button type="button" className="secondary" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="primary">
              {similar.length > 0 ? 'This is different — continue' : 'Continue'}
            </button>
          </div>
        </form>
      )}

      {step === 'confirm' && (
        <div className="dialog-body">
          <p>
            <strong>This will wake{target ? ` ${target.label}` : ' SRE on call'}:</strong>
          </p>
          {woken.length > 0 ? (
            <ul className="woken" data-testid="who-is-woken">
              {woken.map((p) => (
                <li key={p.user.username}>
                  <PersonWithTime person={p} now={now} />
                </li>
              ))}
            </ul>
          ) : (
            <p className="warning" data-testid="who-is-woken">
              <AlertIcon /> Klaxon cannot see who is on call right now. On-Call will page whoever its escalation policy
              names.
            </p>
          )}
          <dl className="recap">
            <dt>From</dt>
            <dd>
              {me.user.name}
              {me.user.email ? ` (${me.user.email})` : ''}
            </dd>
            <dt>Summary</dt>
            <dd>{summary.trim()}</dd>
            {details.trim() && (
              <>
                <dt>Details</dt>
                <dd className="recap-details">{details.trim()}</dd>
              </>
            )}
          </dl>
          {uncertain && (
            <div className="send-error" role="alert" data-testid="send-uncertain">
              <p>
                <AlertIcon /> <strong>Klaxon could not confirm that your page was received.</strong> {uncertain.message}
              </p>
              <p>It may already be on its way to On-Call. Try again sends the same page: it cannot page SRE twice.</p>
              <FallbackContacts contacts={fallback} intro="If this cannot wait, reach SRE another way now:" />
            </div>
          )}
          {sendError && (
            <div className="send-error" role="alert">
              <p>
                <AlertIcon /> <strong>Not sent: {sendError.message}</strong>
                {sendError.retryAfterSeconds
                  ? ` You can page again in ${Math.ceil(sendError.retryAfterSeconds)} s.`
                  : ''}
              </p>
              <FallbackContacts contacts={fallback} intro="If this cannot wait, reach SRE another way now:" />
            </div>
          )}
          <div className="dialog-actions">
            <button type="button" className="secondary" disabled={sending} onClick={() => setStep('compose')}>
              Back
            </button>
            <button
              type="button"
              ref={sendButtonRef}
              className="primary danger"
              disabled={sending}
              aria-disabled={sending}
              onClick={() => void send()}
            >
              {sending ? 'Sending…' : uncertain ? 'Try again' : 'Send page now'}
            </button>
          </div>
        </div>
      )}

      {step === 'sent' && live && (
        <div className="dialog-body">
          <PageStatusView page={live} now={now} fallbackContacts={fallback} />
          <p className="muted small-text">
            You can close this: your page is tracked on the home screen until someone acknowledges it.
          </p>
          <div className="dialog-actions">
            <button type="button" className="primary" onClick={onClose} autoFocus>
              Done
            </button>
          </div>
        </div>
      )}
    </dialog>
  );
}
