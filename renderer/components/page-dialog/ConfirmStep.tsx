import { useEffect, useRef } from 'react';
import type { FallbackContact, Failure, Me, OnCallNow } from '#common/index.js';
import { sendBlocked } from '../../model/page-send.js';
import { pageAgainText } from '../../model/send-outcome.js';
import { targetView } from '../../model/target-reach.js';
import { AlertIcon } from '../icons.js';
import { FallbackContacts } from '../PageStatusView.js';
import { SendOutcomeUnknown } from './SendOutcomeUnknown.js';
import { TargetNotices } from './TargetNotices.js';
import type { PageSend } from './use-page-send.js';
import { WhoIsWoken } from './WhoIsWoken.js';

interface ConfirmStepProps {
  me: Me;
  oncall: OnCallNow | null;
  now: number;
  fallback: readonly FallbackContact[];
  pageSend: PageSend;
}

/**
 * Step 2: whom this wakes now and later (with their local time), whether paging is muted or the
 * target is misconfigured, and what they will read; then Send. The step opens with the focus on its
 * heading, not on Send: an Enter that began in the compose step (a double Enter, a held key) must
 * land on something that does nothing, so nobody pages without reading this.
 */
export function ConfirmStep({ me, oncall, now, fallback, pageSend }: ConfirmStepProps) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  const { state, target, sending, doubt, held, refusal, back, send } = pageSend;
  const { summary, details } = state.draft;
  const view = targetView(oncall, target);
  const blocked = sendBlocked(state, now);
  const pageAgain = pageAgainText(state.blockedUntil, now);

  useEffect(() => headingRef.current?.focus(), []);

  return (
    <div className="dialog-body">
      <TargetNotices view={view} fallback={fallback} />
      <WhoIsWoken
        view={view.woken}
        label={target?.label ?? 'SRE on call'}
        muted={view.muted !== null}
        now={now}
        headingRef={headingRef}
      />
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
      {doubt && <SendOutcomeUnknown doubt={doubt} held={held} now={now} fallback={fallback} />}
      {refusal && <NotSent refusal={refusal} fallback={fallback} />}
      {pageAgain && (
        <p className="warning" id="page-again-note" data-testid="page-again">
          <AlertIcon /> {pageAgain}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="secondary" disabled={sending} onClick={back}>
          Back
        </button>
        <button
          type="button"
          className="primary danger"
          disabled={sending || blocked}
          aria-describedby={blocked ? 'page-again-note' : undefined}
          onClick={() => void send()}
        >
          {sending
            ? 'Sending…'
            : doubt
              ? held
                ? 'Try again now'
                : 'Try again'
              : view.muted
                ? 'Send anyway'
                : 'Send page now'}
        </button>
      </div>
    </div>
  );
}

/** The server certainly did not store the page: say so, and how else to reach SRE. */
function NotSent({ refusal, fallback }: { refusal: Failure; fallback: readonly FallbackContact[] }) {
  return (
    <div className="send-error" role="alert">
      <p>
        <AlertIcon /> <strong>Not sent: {refusal.message}</strong>
      </p>
      <FallbackContacts contacts={fallback} intro="If this cannot wait, reach SRE another way now:" />
    </div>
  );
}
