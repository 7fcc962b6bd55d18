/**
 * Which desktop notifications Klaxon shows. The aim is few and meaningful: a NEW unacknowledged
 * incident (once per incident, never for what was already there when the app started or
 * reconnected), and what happened to the user's own page. Everything else is the badge's job.
 */
import {
  incidentKey,
  serviceName,
  acknowledgerName,
  unsentKey,
  type Incident,
  type Me,
  type Page,
  type Settings,
  type UnsentPage,
} from '#common/index.js';

export interface DesktopNotification {
  title: string;
  body: string;
  /** The incident to show when the notification is clicked: its key (`incidentKey`, `pagerduty:7` or On-Call's `7`). */
  incidentNumber?: string;
}

/** `notifyNewIncidents: null` means "on for people who can acknowledge (SRE), off for everyone else". */
export function wantsNewIncidentNotifications(settings: Pick<Settings, 'notifyNewIncidents'>, me: Me | null): boolean {
  if (settings.notifyNewIncidents !== null) return settings.notifyNewIncidents;
  return me?.permissions.acknowledge ?? false;
}

/**
 * A kept page the server has now refused: the person may have closed the popover believing Klaxon
 * keeps trying, so they are told it has stopped, and why.
 */
export function unsentRefusedNotifications(
  previous: readonly UnsentPage[],
  next: readonly UnsentPage[],
  settings: Pick<Settings, 'notifyOwnPages'>,
): DesktopNotification[] {
  if (!settings.notifyOwnPages) return [];
  const wasRefused = new Set(previous.filter((u) => u.refusal).map(unsentKey));
  return next
    .filter((u) => u.refusal && !wasRefused.has(unsentKey(u)))
    .map((u) => ({
      title: 'Your page was NOT sent',
      body: `"${u.request.summary}": ${u.refusal!.message} Klaxon has stopped trying; if it is urgent, call SRE directly.`,
    }));
}

export class NotificationPolicy {
  private readonly seenIncidents = new Set<string>();
  /** Each own page's status, with whether it wakes nobody (maintenance) or has no incident in time. */
  private readonly pageStatus = new Map<string, string>();

  constructor(
    private readonly opts: { settings(): Pick<Settings, 'notifyNewIncidents' | 'notifyOwnPages'>; me(): Me | null },
  ) {}

  /** A full snapshot (start, reconnect): remember everything in it, notify about nothing. */
  onSnapshot(incidents: readonly Incident[], pages: readonly Page[]): void {
    for (const i of incidents) this.seenIncidents.add(incidentKey(i));
    for (const p of pages) this.pageStatus.set(p.id, pageState(p));
  }

  onIncident(change: 'opened' | 'updated' | 'removed', incident: Incident): DesktopNotification | null {
    if (change === 'removed') return null;
    // Numbers repeat across paging services: an incident is known by its key.
    const isNew = !this.seenIncidents.has(incidentKey(incident));
    this.seenIncidents.add(incidentKey(incident));
    if (!isNew || incident.phase !== 'UNACKED') return null;
    if (!wantsNewIncidentNotifications(this.opts.settings(), this.opts.me())) return null;
    const team = incident.teams.map((t) => t.name).join(', ');
    const paged = incident.pagedUsers.length ? `paging ${incident.pagedUsers.join(', ')}` : 'nobody is being paged yet';
    return {
      title: `New incident #${incident.number}, not acknowledged`,
      body: `${incident.title}${team ? ` (${team})` : ''}: ${paged}.`,
      incidentNumber: incidentKey(incident),
    };
  }

  /**
   * Status changes of the user's own pages: delivered, acknowledged, trouble delivering, and a
   * delivered page that wakes nobody (maintenance mode) or whose incident did not appear.
   */
  onPage(page: Page): DesktopNotification | null {
    const before = this.pageStatus.get(page.id);
    const state = pageState(page);
    this.pageStatus.set(page.id, state);
    if (before === state) return null;
    const me = this.opts.me();
    if (!me || page.requester.sub !== me.user.sub) return null;
    if (!this.opts.settings().notifyOwnPages) return null;
    const incident = page.incidentNumber ? ` as incident #${page.incidentNumber}` : '';
    const base = page.incidentNumber
      ? { incidentNumber: incidentKey({ backend: page.backend, number: page.incidentNumber }) }
      : {};
    const svc = serviceName(page.backend);
    if (state === 'delivered:muted')
      return {
        ...base,
        title: `Your page woke nobody: ${svc} is in maintenance mode`,
        body: `"${page.summary}" reached ${svc}${incident}, but ${svc} pages nobody until maintenance mode ends. Call SRE directly.`,
      };
    if (state === 'delivered:unconfirmed')
      return {
        ...base,
        title: `${svc} shows no incident for your page`,
        body: `"${page.summary}" was sent, but ${svc} shows no incident for it: it may have been rewritten or dropped. If it is urgent, call SRE directly.`,
      };
    switch (page.status) {
      case 'delivered':
        return {
          ...base,
          title: `Your page reached ${svc}`,
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
          body: `"${page.summary}": ${page.lastError ?? `${svc} did not accept it`}. ${page.gaveUpAt ? 'Klaxon has stopped retrying; call SRE directly.' : 'Klaxon keeps retrying; if it is urgent, call SRE directly.'}`,
        };
      default:
        return null;
    }
  }
}

/** A page's status as the person sees it: "delivered" splits into woke nobody, not confirmed, and on its way. */
function pageState(p: Page): string {
  if (p.status !== 'delivered') return p.status;
  if (p.mutedAt) return 'delivered:muted';
  if (p.unconfirmedAt && !p.incidentNumber) return 'delivered:unconfirmed';
  return 'delivered';
}
