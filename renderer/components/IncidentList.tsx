import { useState } from 'react';
import { acknowledgerName, type Incident } from '#common/index.js';
import { escalationNote } from '../model/escalation.js';
import { ackOutcome, pagesNobody, sortIncidents } from '../model/incident-list.js';
import { relativeTime } from '../model/relative-time.js';
import { useApi } from './api-context.js';
import { ExternalLink } from './ExternalLink.js';
import { AlertIcon, CheckIcon, DoneIcon } from './icons.js';

/** Recent incidents in the order of model/incident-list.ts, each with its state in words. */
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
  if (incidents.length === 0) {
    return <p className="empty">No incidents in the last {windowMinutes} minutes.</p>;
  }
  return (
    <ul className="incidents" aria-label="Recent incidents">
      {sortIncidents(incidents).map((i) => (
        <IncidentItem key={i.number} incident={i} now={now} canAck={canAck} />
      ))}
    </ul>
  );
}

function IncidentItem({ incident: i, now, canAck }: { incident: Incident; now: number; canAck: boolean }) {
  const api = useApi();
  const [ack, setAck] = useState<{ busy: boolean; message: string | null; failed: boolean }>({
    busy: false,
    message: null,
    failed: false,
  });

  const acknowledge = async () => {
    setAck({ busy: true, message: null, failed: false });
    setAck({ busy: false, ...ackOutcome(await api.ackIncident(i.number)) });
  };

  return (
    <li
      className={`incident incident-${i.phase.toLowerCase()}`}
      id={`incident-${i.number}`}
      tabIndex={-1}
      data-testid={`incident-${i.number}`}
    >
      <div className="incident-state">
        {i.phase === 'UNACKED' && (
          <span className="state state-unacked">
            <AlertIcon /> Not acknowledged
          </span>
        )}
        {i.phase === 'ACKED' && (
          <span className="state state-acked">
            <CheckIcon /> Acknowledged{acknowledgerName(i) ? ` by ${acknowledgerName(i)}` : ''}
          </span>
        )}
        {i.phase === 'RESOLVED' && (
          <span className="state state-resolved">
            <DoneIcon /> Resolved
          </span>
        )}
        <span className="incident-time">
          <time dateTime={i.startedAt} title={new Date(i.startedAt).toLocaleString()}>
            {relativeTime(i.startedAt, now)}
          </time>
        </span>
      </div>
      <p className="incident-title">
        <span className="visually-hidden">Incident #{i.number}: </span>
        {i.title}
      </p>
      <p className="incident-meta">
        <span aria-hidden="true">#{i.number}</span>
        {i.teams.length > 0 && <span> · {i.teams.map((t) => t.name).join(', ')}</span>}
        {i.phase === 'UNACKED' && i.pagedUsers.length > 0 && <span> · paging {i.pagedUsers.join(', ')}</span>}
        {i.link && (
          <span>
            {' '}
            ·{' '}
            <ExternalLink href={i.link}>
              Open in On-Call<span className="visually-hidden"> (incident #{i.number})</span>
            </ExternalLink>
          </span>
        )}
      </p>
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
      {canAck && i.phase === 'UNACKED' && (
        <div className="incident-actions">
          <button type="button" className="secondary small" disabled={ack.busy} onClick={() => void acknowledge()}>
            {ack.busy ? 'Acknowledging…' : 'Acknowledge'}
            <span className="visually-hidden"> incident #{i.number}</span>
          </button>
        </div>
      )}
      <div role="status" aria-live="polite" className={ack.failed ? 'ack-result error-text' : 'ack-result'}>
        {ack.message}
      </div>
    </li>
  );
}
