import { useState } from 'react';
import { acknowledgerName, incidentKey, serviceName, type Incident } from '#common/index.js';
import { escalationNote } from '../model/escalation.js';
import { ackOutcome, pagesNobody, resolvedSummary, splitIncidents } from '../model/incident-list.js';
import { relativeTime } from '../model/relative-time.js';
import { useApi } from './api-context.js';
import { ExternalLink } from './ExternalLink.js';
import { AlertIcon, CheckIcon, DoneIcon } from './icons.js';

/**
 * Open incidents in the order of model/incident-list.ts, each with its state in words. Resolved ones
 * are not here: they fold behind one line further down (`ResolvedIncidents`), so what needs
 * attention and who is on call stay in view in the small popover.
 */
export function IncidentList({
  incidents,
  now,
  canAck,
  windowMinutes,
}: {
  incidents: readonly Incident[];
  now: number;
  canAck: boolean;
  windowMinutes: number;
}) {
  const { open, resolved } = splitIncidents(incidents);
  if (open.length === 0) {
    return (
      <p className="empty">
        No {resolved.length ? 'open ' : ''}incidents in the last {windowMinutes} minutes.
      </p>
    );
  }
  return (
    <ul className="incidents" aria-label="Recent incidents">
      {open.map((i) => (
        <IncidentItem key={incidentKey(i)} incident={i} now={now} canAck={canAck} />
      ))}
    </ul>
  );
}

/** "3 resolved incidents", unfolded on request; nothing when there are none. */
export function ResolvedIncidents({ incidents, now }: { incidents: readonly Incident[]; now: number }) {
  const { resolved } = splitIncidents(incidents);
  if (resolved.length === 0) return null;
  return (
    <details className="resolved-incidents" data-testid="resolved-incidents">
      <summary>
        <DoneIcon /> {resolvedSummary(resolved.length)}
      </summary>
      <ul className="incidents" aria-label="Resolved incidents">
        {resolved.map((i) => (
          <IncidentItem key={incidentKey(i)} incident={i} now={now} canAck={false} />
        ))}
      </ul>
    </details>
  );
}

function IncidentItem({ incident: i, now, canAck }: { incident: Incident; now: number; canAck: boolean }) {
  const api = useApi();
  const [ack, setAck] = useState<{ busy: boolean; message: string | null; failed: boolean }>({
    busy: false,
    message: null,
    failed: false,
  });

  // Someone is on it (or it is over): two short lines are enough, the title cut to one.
  const handled = i.phase !== 'UNACKED';

  const acknowledge = async () => {
    setAck({ busy: true, message: null, failed: false });
    setAck({ busy: false, ...ackOutcome(await api.ackIncident(incidentKey(i))) });
  };

  return (
    <li
      className={`incident incident-${i.phase.toLowerCase()}`}
      id={`incident-${incidentKey(i).replace(':', '-')}`}
      tabIndex={-1}
      data-testid={`incident-${incidentKey(i).replace(':', '-')}`}
    >
      <div className="incident-state">
        <span className="incident-state-text">
          {i.phase === 'UNACKED' && (
            <span className="state state-unacked">
              <AlertIcon /> Not acknowledged
            </span>
          )}
          {i.phase === 'ACKED' && (
            <span className="state state-acked">
              <CheckIcon />
              <span className="state-words">Acknowledged{acknowledgerName(i) ? ` by ${acknowledgerName(i)}` : ''}</span>
            </span>
          )}
          {i.phase === 'RESOLVED' && (
            <span className="state state-resolved">
              <DoneIcon /> Resolved
            </span>
          )}
          <span className="incident-time">
            {' · '}
            <time dateTime={i.startedAt} title={new Date(i.startedAt).toLocaleString()}>
              {relativeTime(i.startedAt, now)}
            </time>
          </span>
        </span>
        {/* On the state line, not a row of its own: one line less per incident in a small popover. */}
        {canAck && i.phase === 'UNACKED' && (
          <button type="button" className="secondary small" disabled={ack.busy} onClick={() => void acknowledge()}>
            {ack.busy ? 'Acknowledging…' : 'Acknowledge'}
            <span className="visually-hidden"> incident #{i.number}</span>
          </button>
        )}
        {handled && <IncidentNumber incident={i} />}
      </div>
      <p className={handled ? 'incident-title one-line' : 'incident-title'} title={handled ? i.title : undefined}>
        <span className="visually-hidden">Incident #{i.number}: </span>
        {i.title}
      </p>
      {!handled && (
        <p className="incident-meta">
          <span aria-hidden="true">#{i.number}</span>
          {i.teams.length > 0 && <span> · {i.teams.map((t) => t.name).join(', ')}</span>}
          {i.phase === 'UNACKED' && i.pagedUsers.length > 0 && <span> · paging {i.pagedUsers.join(', ')}</span>}
          {i.link && (
            <span>
              {' '}
              ·{' '}
              <ExternalLink href={i.link}>
                Open in {serviceName(i.backend)}
                <span className="visually-hidden"> (incident #{i.number})</span>
              </ExternalLink>
            </span>
          )}
        </p>
      )}
      {i.escalation && (
        <p className="escalation-note" role="note" data-testid={`escalation-${i.number}`}>
          <AlertIcon /> {escalationNote(i.escalation)}
        </p>
      )}
      {pagesNobody(i) && (
        <p className="warning" role="note">
          <AlertIcon /> Nobody is being paged for this incident. If it needs SRE now, page them.
        </p>
      )}
      <div role="status" aria-live="polite" className={ack.failed ? 'ack-result error-text' : 'ack-result'}>
        {ack.message}
      </div>
    </li>
  );
}

/** "#1046", the link to the incident in On-Call when there is one: what is left of the meta line of a handled incident. */
function IncidentNumber({ incident: i }: { incident: Incident }) {
  return (
    <span className="incident-number">
      {i.link ? (
        <ExternalLink href={i.link}>
          <span aria-hidden="true">#{i.number}</span>
          <span className="visually-hidden">
            Open incident #{i.number} in {serviceName(i.backend)}
          </span>
        </ExternalLink>
      ) : (
        <span aria-hidden="true">#{i.number}</span>
      )}
    </span>
  );
}
