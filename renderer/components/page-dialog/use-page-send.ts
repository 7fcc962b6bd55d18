import { useEffect, useReducer, useRef } from 'react';
import { mergePages, type ClientConfig, type Page, type UnsentPage } from '#common/index.js';
import { newIdempotencyKey } from '../../model/page-form.js';
import {
  firstInvalidField,
  heldUnsent,
  initialPageSendState,
  isLocked,
  pageSendReducer,
  pendingSend,
  sendBlocked,
  sendDoubt,
} from '../../model/page-send.js';
import { isDefinitiveRefusal } from '../../model/send-outcome.js';
import { useApi } from '../api-context.js';

/**
 * The page dialog's state machine (model/page-send.ts) wired to the API, the clock and the list of
 * my pages. The steps render what it returns and call its actions; none of them calls the API.
 */
export function usePageSend(config: ClientConfig | null, pages: readonly Page[], unsent: readonly UnsentPage[]) {
  const api = useApi();
  const targets = config?.targets ?? [];
  const [state, dispatch] = useReducer(pageSendReducer, targets, (t) => initialPageSendState(t, newIdempotencyKey()));
  // Set synchronously, so a double click cannot start a second request before the next render.
  const inFlight = useRef(false);
  const latestPages = useRef(pages);
  latestPages.current = pages;

  // While the outcome is unknown, the page may still show up (page event or the slow poll).
  useEffect(() => dispatch({ type: 'pages-changed', pages }), [pages]);
  // ...or the server may have refused the kept copy meanwhile.
  useEffect(
    () => dispatch({ type: 'unsent-changed', unsent, freshKey: newIdempotencyKey(), at: Date.now() }),
    [unsent],
  );

  const target = targets.find((t) => t.id === state.draft.targetId) ?? null;
  const held = heldUnsent(state, unsent);
  // Found among my pages while a copy is still kept: resend it now, so the server's answer (the
  // same page) clears the copy at once instead of at its next attempt.
  const heldKey = state.step === 'sent' && held && !held.refusal ? held.request.idempotencyKey : null;
  useEffect(() => {
    if (heldKey) void api.retryUnsent(heldKey);
  }, [api, heldKey]);

  const send = async () => {
    if (inFlight.current || state.step !== 'confirm' || sendBlocked(state, Date.now())) return;
    inFlight.current = true;
    const pending =
      state.send.kind === 'uncertain'
        ? state.send.pending
        : pendingSend(state, target, latestPages.current, Date.now());
    dispatch({ type: 'send-started', pending });
    const r = await api.createPage(pending.request);
    if (r.ok) {
      inFlight.current = false;
      dispatch({ type: 'send-answered', page: r.value });
      return;
    }
    // Before saying anything, ask the server whether the page is there after all.
    const mine = isDefinitiveRefusal(r.error.code) ? null : await api.myPages();
    inFlight.current = false;
    dispatch({
      type: 'send-failed',
      error: r.error,
      pages: mergePages(latestPages.current, mine?.ok ? mine.value : []),
      freshKey: newIdempotencyKey(),
      at: Date.now(),
    });
  };

  return {
    state,
    target,
    locked: isLocked(state),
    sending: state.send.kind === 'sending',
    /** Why the last Send is in doubt ("Try again"), or null. */
    doubt: sendDoubt(state),
    /** The kept copy of the request in doubt: Klaxon keeps trying it even after the dialog closes. */
    held,
    /** The last "Not sent", or null. */
    refusal: state.send.kind === 'idle' ? state.send.refusal : null,
    edit: (field: 'summary' | 'details', value: string) => dispatch({ type: 'edit', field, value }),
    chooseTarget: (targetId: string) => dispatch({ type: 'choose-target', targetId }),
    /** Continue from compose; returns the field to focus when the form is not ready. */
    toConfirm: () => {
      const invalid = firstInvalidField(state);
      dispatch({ type: 'continue' });
      return invalid;
    },
    back: () => dispatch({ type: 'back' }),
    send,
  };
}

export type PageSend = ReturnType<typeof usePageSend>;
