import type { Incident, IncidentSnapshot } from '#common/index.js';

/**
 * An incident as clients receive it: only the fields the renderer and the desktop show (see
 * `Incident` in common/incident.ts). The backends hand back an unchanged incident as the same
 * object from poll to poll, so each one is trimmed once.
 */
const shown = new WeakMap<Incident, Incident>();

export function shownIncident(i: Incident): Incident {
  let v = shown.get(i);
  if (!v) {
    v = {
      number: i.number,
      title: i.title,
      phase: i.phase,
      startedAt: i.startedAt,
      teams: i.teams,
      pagedUsers: i.pagedUsers,
      link: i.link,
      ackedBy: i.ackedBy,
      ...(i.backend ? { backend: i.backend } : {}),
      // Joined by live/incident-presenter.ts; absent when there is nothing to say.
      ...(i.ackedByName != null ? { ackedByName: i.ackedByName } : {}),
      ...(i.escalation != null ? { escalation: i.escalation } : {}),
      ...(i.provisional ? { provisional: true } : {}),
    };
    shown.set(i, v);
  }
  return v;
}

export function shownSnapshot(s: IncidentSnapshot): IncidentSnapshot {
  return { ...s, incidents: s.incidents.map(shownIncident) };
}
