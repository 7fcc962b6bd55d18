import type { FallbackContact, Failure, UnsentPage } from '#common/index.js';
import { notSentYet } from '../../model/unsent-pages.js';
import { useApi } from '../api-context.js';
import { AlertIcon } from '../icons.js';
import { FallbackContacts } from '../PageStatusView.js';

/**
 * A Send whose answer was lost (timeout, connection reset, 5xx): nobody has confirmed the page, so
 * it is NOT sent yet, and must never read as one that will arrive by itself. Kept by the client,
 * it is resent until the server answers (countdown, outside the alert so it is not read out every
 * second); either way Try again resends the same request and cannot page twice.
 */
export function SendOutcomeUnknown({
  doubt,
  held,
  now,
  fallback,
}: {
  doubt: Failure;
  held: UnsentPage | null;
  now: number;
  fallback: readonly FallbackContact[];
}) {
  const api = useApi();
  const text = notSentYet(doubt, held, now, api.kind);
  return (
    <div className="send-error" data-testid="send-uncertain">
      <div role="alert">
        <p>
          <AlertIcon /> <strong>Your page is NOT sent yet.</strong> {text.reason}
        </p>
        <p>{text.next}</p>
      </div>
      {text.countdown && (
        <p className="unsent-countdown" data-testid="send-countdown">
          {text.countdown}
        </p>
      )}
      <FallbackContacts contacts={fallback} intro="If this cannot wait, reach SRE another way now:" />
    </div>
  );
}

/** On the compose step while the outcome is unknown: why the text cannot be changed (the fields point here). */
export function TextLockedNote() {
  return (
    <p id="page-locked-note" className="warning" data-testid="page-locked-note">
      <AlertIcon /> Klaxon does not know yet whether your page was received, so it cannot be changed now: changing it
      could page SRE twice. Continue, then Try again sends the same page.
    </p>
  );
}
