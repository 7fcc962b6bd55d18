import type { Incident, OnCallNow, Page } from '#common/index.js';
import type { TimeSlicer } from '../runtime/time-slice.js';

/** What sending a page's alert came to; `retryable` tells delivery whether another attempt may succeed. */
export type SendAlertResult =
  { ok: true; entityId: string } | { ok: false; retryable: boolean; error: string; status?: number };

/** What the service said to an acknowledgement. */
export interface AckOutcome {
  accepted: boolean;
  /** The service's reason when it did not accept; null when it gave none. */
  reason: string | null;
}

/**
 * A paging service Klaxon works with: Splunk On-Call today (`splunk-oncall/`), PagerDuty next,
 * each in its own folder. Everything outside `server/backends/` talks to the service through this
 * interface only. Calls fail with an UpstreamError (`upstream-error.ts`), whose message a person
 * can act on; `sendAlert` answers with a result instead, because delivery decides what to do next.
 */
export interface PagingBackend {
  /**
   * Every incident the service lists now (open, acknowledged, recently resolved), normalised to
   * the contract's `Incident`. An incident that did not change since the last call comes back as
   * the same object, so callers can tell "unchanged" cheaply. Long lists yield to the event loop
   * through `slicer`.
   */
  listIncidents(slicer?: TimeSlicer): Promise<Incident[]>;
  /** One incident, listed or not; null when the service does not know the number. */
  getIncident(number: string): Promise<Incident | null>;
  /**
   * Sends a page's alert to the service. Idempotent: sending the same page again adds to the
   * incident the first attempt opened (its `entityId` is `pageEntityId(page.id)`), never a second one.
   */
  sendAlert(page: Page, routingKey: string): Promise<SendAlertResult>;
  /** Acknowledges an incident as `userName`. UpstreamError `not_found`: the service does not know that user. */
  acknowledge(userName: string, incidentNumber: string, message: string): Promise<AckOutcome>;
  /** Who is on call now; cached by the backend, marked `stale` while the service fails. */
  onCallNow(): Promise<OnCallNow>;
  /** Whether the service has a user with this name; null when it cannot tell right now. */
  knowsUser(username: string): Promise<boolean | null>;
}
