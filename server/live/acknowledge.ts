import { incidentKey, type AckResult, type Incident } from '#common/index.js';
import type { Viewer } from '../auth/viewer.js';
import type { PagingService } from '../backends/paging-services.js';
import { UpstreamError } from '../backends/upstream-error.js';
import { HttpError } from '../http/errors.js';
import type { KlaxonAck } from '../store/store.js';
import type { IncidentSource } from './incidents-view.js';
import { shownIncident } from './shown-incident.js';

/** What acknowledging needs of a paging service: its backend, its service user and how to name both. */
export type AcknowledgingService = Pick<PagingService, 'id' | 'name' | 'serviceUser' | 'serviceUserKey'> & {
  backend: Pick<PagingService['backend'], 'acknowledge' | 'knowsUser' | 'accountOf'>;
};

export interface AcknowledgeDeps {
  hub: Pick<IncidentSource, 'refreshNow' | 'snapshot'>;
  /** The service an incident key names and the incident's number there; null: no such service here. */
  serviceOf(key: string): { service: AcknowledgingService; number: string } | null;
  /**
   * Keeps who acknowledged through Klaxon (store and presenter), so the incident shows the person,
   * whichever service user sent it, and the groups on their token then (the access review shows
   * them). A failure here does not undo the acknowledgement.
   */
  recordAck?(ack: KlaxonAck, groups: readonly string[]): Promise<void>;
}

/** How long an ack waits for the follow-up poll before answering with what it knows. */
const ACK_REFRESH_WAIT_MS = 3000;

const within = <T>(p: Promise<T>, ms: number): Promise<T | undefined> =>
  Promise.race([
    p,
    new Promise<undefined>((resolve) => {
      setTimeout(() => resolve(undefined), ms).unref();
    }),
  ]);

/**
 * Acknowledges an incident for a person: as their own user of the paging service when it knows them,
 * otherwise as the service user; then looks again (briefly) so the answer carries the incident as
 * it is now. Throws HttpError 409 when nobody can acknowledge, 502 when the service fails.
 */
export async function acknowledgeIncident(
  deps: AcknowledgeDeps,
  viewer: Viewer,
  key: string,
  note: string | undefined,
): Promise<AckResult> {
  const { hub } = deps;
  const found = deps.serviceOf(key);
  if (!found) throw new HttpError(404, 'not_found', `This Klaxon server has no paging service for incident "${key}".`);
  const { service, number } = found;
  const { backend, name: svc } = service;
  const ackAs = service.serviceUser;
  // On-Call knows people by username, PagerDuty by e-mail.
  const account = backend.accountOf({ username: viewer.username, email: viewer.email });
  let userName: string | null = null;
  // `null` (cannot tell right now) → try the person's own name and let the service decide.
  if (account && (await backend.knowsUser(account)) !== false) userName = account;
  userName ??= ackAs;
  if (!userName) {
    throw new HttpError(
      409,
      'conflict',
      `Your account${account ? ` (${account})` : ''} is not an ${svc} user and this Klaxon server has no service user for acknowledgements (${service.serviceUserKey}). Acknowledge in the ${svc} app, or ask the Klaxon operator to set ${service.serviceUserKey}.`,
    );
  }
  const message = `Acknowledged in Klaxon by ${viewer.name}${note ? `: ${note}` : ''}`;
  let outcome;
  try {
    outcome = await backend.acknowledge(userName, number, message);
  } catch (e) {
    // The service does not know the user: nothing was acknowledged, so asking again as the service user is safe.
    if (e instanceof UpstreamError && e.kind === 'not_found' && ackAs && userName !== ackAs) {
      userName = ackAs;
      try {
        outcome = await backend.acknowledge(userName, number, message);
      } catch (e2) {
        throw ackFailed(e2, userName, svc);
      }
    } else {
      throw ackFailed(e, userName, svc);
    }
  }
  const { accepted } = outcome;
  if (accepted && deps.recordAck) {
    const ack = {
      // By key: numbers repeat across services (On-Call's key is its bare number, as before).
      incidentNumber: incidentKey({ backend: service.id, number }),
      personSub: viewer.sub,
      personName: viewer.name,
      sentAs: userName,
      at: new Date(),
    };
    await deps.recordAck(ack, viewer.groups).catch(() => undefined);
  }
  await within(hub.refreshNow('ack'), ACK_REFRESH_WAIT_MS).catch(() => undefined);
  // No optimistic ACKED: an accepted acknowledgement (`cmdAccepted`) is not an acknowledged incident.
  // A multi-responder incident stays UNACKED until every policy it pages has acknowledged, and no
  // answer of the service says which incidents are multi-responder (docs/splunk-oncall.md). So the
  // incident is shown as the service lists it: by the poll this waited for, or a webhook.
  const wanted = incidentKey({ backend: service.id, number });
  const listed = hub.snapshot().incidents.find((i) => incidentKey(i) === wanted);
  const incident: Incident | null = listed ? shownIncident(listed) : null;
  return {
    incident,
    accepted,
    message: !accepted
      ? `${svc} did not acknowledge incident #${number}: ${outcome.reason ?? `${svc} gave no reason`}.`
      : incident?.phase === 'UNACKED'
        ? `${svc} accepted the acknowledgement of incident #${number} (as ${userName}) but does not list it as acknowledged yet: it may need an acknowledgement for each team it pages. Klaxon shows it acknowledged as soon as ${svc} does.`
        : `Incident #${number} is acknowledged in ${svc} (as ${userName}).`,
  };
}

function ackFailed(e: unknown, userName: string, svc: string): HttpError {
  if (e instanceof UpstreamError && e.kind === 'not_found') {
    return new HttpError(
      409,
      'conflict',
      `${svc} does not know the user "${userName}", so nothing was acknowledged. Acknowledge in the ${svc} app.`,
    );
  }
  const why = e instanceof Error ? e.message : `${svc} did not answer.`;
  return new HttpError(
    502,
    'upstream_unavailable',
    `The incident was not acknowledged: ${why} Try again, or acknowledge in the ${svc} app.`,
  );
}
