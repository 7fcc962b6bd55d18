import type { Page } from '#common/index.js';
import { type Logger, silentLogger } from '../runtime/logger.js';
import type { KlaxonStore, NewAnnouncement } from '../store/store.js';
import type { ChatChannel } from './chat-channel.js';
import { chatEventKey, chatEventText, type ChatEvent, type EscalationCause } from './chat-event.js';

/** An escalation as the escalation job records it (its fields by the names it uses). */
export interface EscalationDone {
  incidentNumber: string;
  reason: EscalationCause;
  policyName: string;
  requesterName: string | null;
  afterMinutes: number | null;
  pageId: string | null;
}

export interface AnnouncerDeps {
  store: Pick<KlaxonStore, 'enqueueAnnouncements'> & Partial<Pick<KlaxonStore, 'getPage'>>;
  channels: readonly Pick<ChatChannel, 'name' | 'resendSafe'>[];
  includeDetails: boolean;
  serverName: string;
  /** Something was queued: the worker may send at once. */
  onQueued?: () => void;
  logger?: Logger;
}

/**
 * Turns events into queued announcements, one per configured channel (server/chat/chat-worker.ts
 * sends them). Queuing never fails a page: a storage error here is logged, not thrown.
 */
export class Announcer {
  private readonly log: Logger;

  constructor(private readonly deps: AnnouncerDeps) {
    this.log = deps.logger ?? silentLogger;
  }

  /** The announcements of one event for every channel. */
  announcementsOf(e: ChatEvent): NewAnnouncement[] {
    const text = chatEventText(e, { includeDetails: this.deps.includeDetails, serverName: this.deps.serverName });
    const key = chatEventKey(e);
    return this.deps.channels.map((c) => ({ channel: c.name, key, text, resendSafe: c.resendSafe }));
  }

  /**
   * Queues an event's announcements (once per channel and event, however often it is called).
   * The entry point for the other parts of the server; resolves when queued, and never rejects.
   */
  async announce(...events: ChatEvent[]): Promise<void> {
    if (this.deps.channels.length === 0 || events.length === 0) return;
    try {
      await this.deps.store.enqueueAnnouncements(
        events.flatMap((e) => this.announcementsOf(e)),
        new Date(),
      );
      this.deps.onQueued?.();
    } catch (e) {
      this.log.error(
        { err: (e as Error).message, events: events.map(chatEventKey) },
        'chat: could not queue an announcement',
      );
    }
  }

  /**
   * Klaxon escalated an incident (the escalation job, "Escalate now"): announced with its page
   * when it has one. Call it once the paging service accepted the escalation.
   */
  async escalated(e: EscalationDone): Promise<void> {
    let page = null;
    try {
      page = e.pageId && this.deps.store.getPage ? ((await this.deps.store.getPage(e.pageId))?.page ?? null) : null;
    } catch {
      // Announced without the page rather than not at all.
    }
    return this.announce({
      kind: 'escalated',
      incidentNumber: e.incidentNumber,
      to: e.policyName,
      cause: e.reason,
      requestedBy: e.requesterName,
      afterMinutes: e.afterMinutes,
      page,
    });
  }

  /** A page changed: its incident number, then its acknowledgement, each announced once. */
  pageChanged(page: Page): Promise<void> {
    const events: ChatEvent[] = [];
    if (page.incidentNumber) events.push({ kind: 'incident', page });
    if (page.ackedBy || page.ackedAt) events.push({ kind: 'acknowledged', page });
    return this.announce(...events);
  }
}
