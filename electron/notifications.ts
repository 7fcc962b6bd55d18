/**
 * Which desktop notifications Klaxon shows. The aim is few and meaningful: a NEW unacknowledged
 * incident (once per incident, never for what was already there when the app started or
 * reconnected), and what happened to the user's own page. Everything else is the badge's job.
 */
import { acknowledgerName, type Incident, type Me, type Page, type Settings } from '#common/index.js';

export interface DesktopNotification {
  title: string;
  body: string;
  incidentNumber?: string;
}

/** `notifyNewIncidents: null` means "on for people who can acknowledge (SRE), off for everyone else". */
export function wantsNewIncidentNotifications(settings: Pick<Settings, 'notifyNewIncidents'>, me: Me | null): boolean {
  if (settings.notifyNewIncidents !== null) return settings.notifyNewIncidents;
  return me?.permissions.acknowledge ?? false;
}

export class NotificationPolicy {
  private readonly seenIncidents = new Set<string>();
  private readonly pageStatus = new Map<string, Page['status']>();

  constructor(
    private readonly opts: { settings(): Pick<Settings, 'notifyNewIncidents' | 'notifyOwnPages'>; me(): Me | null },
  ) {}

  /** A full snapshot (start, reconnect): remember everything in it, notify about nothing. */
  onSnapshot(incidents: readonly Incident[], pages: readonly Page[]): void {
    for (const i of incidents) this.seenIncidents.add(i.number);
    for (const p of pages) this.pageStatus.set(p.id, p.status);
  }

  onIncident(change: 'opened' | 'updated' | 'removed', incident: Incident): DesktopNotification | null {
    if (change === 'removed') return null;
    const isNew = !this.seenIncidents.has(incident.number);
    this.seenIncidents.add(incident.number);
    if (!isNew || incident.phase !== 'UNACKED') return null;
    if (!wantsNewIncidentNotifications(this.opts.settings(), this.opts.me())) return null;
    const team = incident.teams.map((t) => t.name).join(', ');
    const paged = incident.pagedUsers.length ? `paging ${incident.pagedUsers.join(', ')}` : 'nobody is being paged yet';
    return {
      title: `New incident #${incident.number}, not acknowledged`,
      body: `${incident.title}${team ? ` (${team})` : ''}: ${paged}.`,
      incidentNumber: incident.number,
    };
  }

  /** Status changes of the user's own pages: delivered, acknowledged, and trouble delivering. */
  onPage(page: Page): DesktopNotification | null {
    const before = this.pageStatus.get(page.id);
    this.pageStatus.set(page.id, page.status);
    if (before === page.status) return null;
    const me = this.opts.me();
    if (!me || page.requester.sub !== me.user.sub) return null;
    if (!this.opts.settings().notifyOwnPages) return null;
    const incident = page.incidentNumber ? ` as incident #${page.incidentNumber}` : '';
    const base = page.incidentNumber ? { incidentNumber: page.incidentNumber } : {};
    switch (page.status) {
      case 'delivered':
        return {
          ...base,
          title: 'Your page reached On-Call',
          body: `"${page.summary}" was delivered${incident}. Waiting for someone to acknowledge.`,
        };
      case 'acknowledged':
        return {
          ...base,
          title: `${acknowledgerName(page) ?? 'SRE'} acknowledged your page`,
          body: `"${page.summary}"${incident} is acknowledged: someone is on it.`,
        };
      case 'failing':
        return {
          ...base,
          title: 'Your page is not delivered yet',
          body: `"${page.summary}": ${page.lastError ?? 'On-Call did not accept it'}. ${page.gaveUpAt ? 'Klaxon has stopped retrying; call SRE directly.' : 'Klaxon keeps retrying; if it is urgent, call SRE directly.'}`,
        };
      default:
        return null;
    }
  }
}
