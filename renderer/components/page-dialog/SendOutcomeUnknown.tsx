import type { FallbackContact, Failure } from '#common/index.js';
import { AlertIcon } from '../icons.js';
import { FallbackContacts } from '../PageStatusView.js';

/**
 * A Send whose answer was lost (timeout, connection reset, 5xx): the page may be on its way. Say so,
 * never "Not sent", and offer Try again, which resends the same request and cannot page twice.
 */
export function SendOutcomeUnknown({ doubt, fallback }: { doubt: Failure; fallback: readonly FallbackContact[] }) {
  return (
    <div className="send-error" role="alert" data-testid="send-uncertain">
      <p>
        <AlertIcon /> <strong>Klaxon could not confirm that your page was received.</strong> {doubt.message}
      </p>
      <p>It may already be on its way to On-Call. Try again sends the same page: it cannot page SRE twice.</p>
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
