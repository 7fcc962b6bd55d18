import type { RefObject } from 'react';
import {
  countIncidents,
  describeCounts,
  type ClientState,
  type Me,
  type OnCallNow,
  type Page,
  type UnsentPage,
} from '#common/index.js';
import { pageGroupsText, recentWindowMinutes } from '../model/home.js';
import { pageToFollow } from '../model/page-status.js';
import { FreshnessBannerView } from './FreshnessBannerView.js';
import { IncidentList, ResolvedIncidents } from './IncidentList.js';
import { AlertIcon, CheckIcon } from './icons.js';
import { OnCallList } from './OnCallList.js';
import { FallbackContacts, MyPagesList, PageStatusView } from './PageStatusView.js';
import { UnsentPagesCard } from './UnsentPagesCard.js';

interface HomeProps {
  state: ClientState;
  me: Me;
  now: number;
  pages: readonly Page[];
  /** The person's pages the server has not confirmed: shown first, they are what most needs them. */
  unsent: readonly UnsentPage[];
  oncall: OnCallNow | null;
  openerRef: RefObject<HTMLButtonElement | null>;
  onPage(): void;
}

/**
 * Signed in, in order of urgency: pages not sent yet, is anything open and the button that pages
 * SRE, my latest page (one line once done), open incidents, who is on call; then what is done
 * (resolved incidents, folded; my recent pages).
 */
export function Home({ state, me, now, pages, unsent, oncall, openerRef, onPage }: HomeProps) {
  const incidents = state.snapshot?.incidents ?? [];
  const counts = countIncidents(incidents);
  const follow = pageToFollow(pages, now);
  const windowMinutes = recentWindowMinutes(state);
  return (
    <>
      <FreshnessBannerView state={state} now={now} />
      <UnsentPagesCard
        pages={unsent}
        now={now}
        fallbackContacts={state.config?.fallbackContacts ?? []}
        onItemGone={() => requestAnimationFrame(() => openerRef.current?.focus())}
      />
      <section className="summary-card" aria-label="Incident overview">
        <p
          className={counts.unacked > 0 ? 'summary-line summary-unacked' : 'summary-line'}
          role="status"
          aria-live="polite"
          data-testid="badge-summary"
        >
          {counts.unacked > 0 ? <AlertIcon /> : <CheckIcon />}
          <span>{state.snapshot ? describeCounts(counts) : 'Waiting for the incident list…'}</span>
        </p>
        {me.permissions.page ? (
          <button type="button" ref={openerRef} className="primary wide danger" onClick={onPage}>
            Wake up SRE…
          </button>
        ) : (
          <>
            <p className="muted small-text">
              You can see incidents but not page SRE. To page, ask for membership of: {pageGroupsText(state.config)}.
            </p>
            <FallbackContacts
              contacts={state.config?.fallbackContacts ?? []}
              intro="In an emergency, reach SRE without Klaxon:"
            />
          </>
        )}
      </section>
      {follow && (
        <section className="follow-card" aria-label="Your latest page">
          <PageStatusView
            page={follow}
            now={now}
            fallbackContacts={state.config?.fallbackContacts ?? []}
            headingLevel={2}
            foldWhenDone
          />
        </section>
      )}
      <section aria-labelledby="incidents-title">
        <h2 id="incidents-title">
          Recent incidents <span className="muted small-text">last {windowMinutes} min</span>
        </h2>
        <IncidentList
          incidents={incidents}
          now={now}
          canAck={me.permissions.acknowledge}
          windowMinutes={windowMinutes}
        />
      </section>
      <section aria-labelledby="oncall-title">
        <h2 id="oncall-title">On call now</h2>
        <OnCallList oncall={oncall} now={now} />
      </section>
      <ResolvedIncidents incidents={incidents} now={now} />
      <section aria-labelledby="mypages-title">
        <h2 id="mypages-title">My recent pages</h2>
        <MyPagesList pages={pages} now={now} />
      </section>
    </>
  );
}
