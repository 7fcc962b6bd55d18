import type { Incident } from '#common/index.js';
import { type Clock, systemClock } from '../../runtime/clock.js';
import { jsonEqual } from '../../runtime/json-equal.js';
import { type Logger, silentLogger } from '../../runtime/logger.js';
import { TimeSlicer } from '../../runtime/time-slice.js';
import type { OnCallClient } from './client.js';
import { normaliseIncident } from './normalise.js';
import type { WireIncident } from './wire.js';

interface Entry {
  wire: WireIncident;
  incident: Incident;
  /** When this server first saw the incident: its start time if On-Call gives none, stable across polls. */
  firstSeen: string;
}

const TEAM_NAMES_TTL_MS = 10 * 60_000;

/**
 * On-Call's incidents as the contract's `Incident`s. Keeps, per incident number, what On-Call sent
 * last time and what it became: an incident whose wire form did not change is not normalised again
 * and comes back as the same object, so a poll of a thousand unchanged incidents costs little and
 * the hub can compare by identity. Team names come with most incidents (`pagedPolicies`); the team
 * list is asked for only when a slug is unknown, at most every ten minutes.
 */
export class IncidentCache {
  private readonly clock: Clock;
  private readonly log: Logger;
  private entries = new Map<string, Entry>();
  private entriesNamedWith: ReadonlyMap<string, string> | null = null;
  private teamNames: ReadonlyMap<string, string> = new Map();
  private teamNamesAt = -Infinity;

  constructor(
    private readonly opts: {
      client: Pick<OnCallClient, 'teams'>;
      orgSlug: string | null;
      clock?: Clock;
      logger?: Logger;
    },
  ) {
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? silentLogger;
  }

  /** The whole list On-Call returned, normalised in time slices; what is kept becomes this list. */
  async normaliseList(wire: WireIncident[], slicer = new TimeSlicer()): Promise<Incident[]> {
    await this.loadTeamNamesIfNeeded(wire);
    const nowIso = new Date(this.clock.now()).toISOString();
    // Normalised incidents carry team names: a new name list means normalising every incident again.
    const namesChanged = this.entriesNamedWith !== this.teamNames;
    const entries = new Map<string, Entry>();
    const incidents: Incident[] = [];
    for (const w of wire) {
      if (slicer.due()) await slicer.yieldNow();
      const before = this.entries.get(w.incidentNumber);
      const entry =
        before && !namesChanged && jsonEqual(before.wire, w) ? before : this.entry(w, before?.firstSeen ?? nowIso);
      entries.set(w.incidentNumber, entry);
      incidents.push(entry.incident);
    }
    this.entries = entries;
    this.entriesNamedWith = this.teamNames;
    return incidents;
  }

  /** One incident looked up on its own (perhaps no longer listed); what is kept stays as it is. */
  normaliseOne(w: WireIncident): Incident {
    const firstSeen = this.entries.get(w.incidentNumber)?.firstSeen ?? new Date(this.clock.now()).toISOString();
    return this.entry(w, firstSeen).incident;
  }

  private entry(wire: WireIncident, firstSeen: string): Entry {
    const incident = normaliseIncident(wire, {
      teamNames: this.teamNames,
      orgSlug: this.opts.orgSlug,
      fallbackTime: firstSeen,
    });
    return { wire, incident, firstSeen };
  }

  private async loadTeamNamesIfNeeded(wire: WireIncident[]): Promise<void> {
    const known = (slug: string) =>
      this.teamNames.has(slug) || wire.some((w) => w.policyTeams.some((t) => t.slug === slug));
    const missing = wire.some((w) => w.pagedTeams.some((s) => !known(s)));
    if (!missing || this.clock.now() - this.teamNamesAt < TEAM_NAMES_TTL_MS) return;
    this.teamNamesAt = this.clock.now();
    try {
      const teams = await this.opts.client.teams();
      this.teamNames = new Map(teams.map((t) => [t.slug, t.name]));
    } catch (e) {
      this.log.warn(
        { error: e instanceof Error ? e.message : String(e) },
        'could not load On-Call team names; showing team slugs',
      );
    }
  }
}
