import type { AckResult, Incident } from '#common/index.js';
import type { Viewer } from '../auth/viewer.js';
import type { PagingBackend } from '../backends/paging-backend.js';
import { UpstreamError } from '../backends/upstream-error.js';
import { HttpError } from '../http/errors.js';
import type { KlaxonAck } from '../store/store.js';
import type { IncidentsHub } from './incidents-hub.js';
import { shownIncident } from './shown-incident.js';

export interface AcknowledgeDeps {
  hub: Pick<IncidentsHub, 'refreshNow' | 'snapshot'>;
  backend: Pick<PagingBackend, 'acknowledge' | 'knowsUser'>;
  /** The service's user that acknowledges for people it does not know (`oncall.ackAsUser`); null: none. */
  serviceUser: string | null;
  /**
   * Keeps who acknowledged through Klaxon (store and presenter), so the incident shows the person,
   * whichever service user sent it. A failure here does not undo the acknowledgement.
   */
  recordAck?(ack: KlaxonAck): Promise<void>;
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
  number: string,
  note: string | undefined,
): Promise<AckResult> {
  const { hub, backend } = deps;
  const ackAs = deps.serviceUser;
  let userName: string | null = null;
  // `null` (cannot tell right now) → try the person's own name and let the service decide.
  if (viewer.username && (await backend.knowsUser(viewer.username)) !== false) userName = viewer.username;
  userName ??= ackAs;
  if (!userName) {
    throw new HttpError(
      409,
      'conflict',
      `Your account${viewer.username ? ` (${viewer.username})` : ''} is not an On-Call user and this Klaxon server has no service user for acknowledgements (oncall.ackAsUser). Acknowledge in the On-Call app, or ask the Klaxon operator to set oncall.ackAsUser.`,
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
        throw ackFailed(e2, userName);
      }
    } else {
      throw ackFailed(e, userName);
    }
  }
  const { accepted } = outcome;
  if (accepted && deps.recordAck) {
    const ack = {
      incidentNumber: number,
      personSub: viewer.sub,
      personName: viewer.name,
      sentAs: userName,
      at: new Date(),
    };
    await deps.recordAck(ack).catch(() => undefined);
  }
  await within(hub.refreshNow('ack'), ACK_REFRESH_WAIT_MS).catch(() => undefined);
  // No optimistic ACKED: an accepted acknowledgement (`cmdAccepted`) is not an acknowledged incident.
  // A multi-responder incident stays UNACKED until every policy it pages has acknowledged, and no
  // answer of the service says which incidents are multi-responder (docs/splunk-oncall.md). So the
  // incident is shown as the service lists it: by the poll this waited for, or a webhook.
  const found = hub.snapshot().incidents.find((i) => i.number === number);
  const incident: Incident | null = found ? shownIncident(found) : null;
  return {
    incident,
    accepted,
    message: !accepted
      ? `On-Call did not acknowledge incident #${number}: ${outcome.reason ?? 'On-Call gave no reason'}.`
      : incident?.phase === 'UNACKED'
        ? `On-Call accepted the acknowledgement of incident #${number} (as ${userName}) but does not list it as acknowledged yet: it may need an acknowledgement for each team it pages. Klaxon shows it acknowledged as soon as On-Call does.`
        : `Incident #${number} is acknowledged in On-Call (as ${userName}).`,
  };
}

function ackFailed(e: unknown, userName: string): HttpError {
  if (e instanceof UpstreamError && e.kind === 'not_found') {
    return new HttpError(
      409,
      'conflict',
      `On-Call does not know the user "${userName}", so nothing was acknowledged. Acknowledge in the On-Call app.`,
    );
  }
  const why = e instanceof Error ? e.message : 'On-Call did not answer.';
  return new HttpError(
    502,
    'upstream_unavailable',
    `The incident was not acknowledged: ${why} Try again, or acknowledge in the On-Call app.`,
  );
}
