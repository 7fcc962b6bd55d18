import { useEffect, useRef } from 'react';
import {
  escalationOfferFor,
  type ClientConfig,
  type Incident,
  type Me,
  type OnCallNow,
  type Page,
  type UnsentPage,
} from '#common/index.js';
import { ComposeStep } from './ComposeStep.js';
import { ConfirmStep } from './ConfirmStep.js';
import { FollowStep } from './FollowStep.js';
import { usePageSend } from './use-page-send.js';

export interface PageDialogProps {
  me: Me;
  config: ClientConfig | null;
  incidents: readonly Incident[];
  oncall: OnCallNow | null;
  pages: readonly Page[];
  /** Pages kept because the server has not confirmed them: this dialog's own may be among them. */
  unsent: readonly UnsentPage[];
  now: number;
  onClose(): void;
}

const TITLES = { compose: 'Wake up SRE', confirm: 'Confirm: wake up SRE', sent: 'Following your page' } as const;

/** "Wake up SRE": compose (with the similar-incident check) → confirm who is woken → send → follow. */
export function PageDialog({ me, config, incidents, oncall, pages, unsent, now, onClose }: PageDialogProps) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const summaryRef = useRef<HTMLInputElement>(null);
  const pageSend = usePageSend(config, pages, unsent);
  const { step, page } = pageSend.state;
  const fallback = config?.fallbackContacts ?? [];

  // Opened: modal, with the summary ready for typing (going Back later keeps focus where it was).
  useEffect(() => {
    const d = dialogRef.current;
    if (d && !d.open) d.showModal();
    summaryRef.current?.focus();
  }, []);

  return (
    <dialog
      ref={dialogRef}
      className="page-dialog"
      aria-labelledby="page-dialog-title"
      onCancel={(e) => {
        // Esc: not the browser's own close, but the app's (unmount, focus back to the opener).
        e.preventDefault();
        onClose();
      }}
    >
      <div className="dialog-head">
        <h2 id="page-dialog-title">{TITLES[step]}</h2>
        <button type="button" className="ghost" onClick={onClose} aria-label="Close">
          ✕
        </button>
      </div>
      {step === 'compose' && (
        <ComposeStep
          me={me}
          config={config}
          incidents={incidents}
          now={now}
          pageSend={pageSend}
          summaryRef={summaryRef}
          onClose={onClose}
        />
      )}
      {step === 'confirm' && <ConfirmStep me={me} oncall={oncall} now={now} fallback={fallback} pageSend={pageSend} />}
      {step === 'sent' && page && (
        <FollowStep
          page={pages.find((p) => p.id === page.id) ?? page}
          now={now}
          fallback={fallback}
          offer={escalationOfferFor(config, page.backend)}
          incidents={incidents}
          onClose={onClose}
        />
      )}
    </dialog>
  );
}
