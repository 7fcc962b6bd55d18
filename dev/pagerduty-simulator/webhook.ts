/**
 * Webhooks v3 (docs/pagerduty.md#webhooks-v3): for each subscription whose events and filter match,
 * POST `{"event": {...}}` signed with every secret of the subscription as
 * `X-PagerDuty-Signature: v1=<hex HMAC-SHA256 of the raw body>[,v1=…]`, one delivery at a time per
 * subscription, in order, retried on 429, 5xx and network errors with the same `X-Webhook-Id`.
 * Failures are recorded and never reach the simulator's callers.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { WebhookDelivery, WebhookSubscription, WebhookSubscriptionInput } from './types.js';

export const INCIDENT_EVENT_TYPES = [
  'incident.triggered',
  'incident.acknowledged',
  'incident.unacknowledged',
  'incident.resolved',
  'incident.reopened',
  'incident.escalated',
  'incident.delegated',
] as const;

const KEEP_DELIVERIES = 1000;
const TIMEOUT_MS = 5_000;

/** `v1=<hex>` for each secret, comma-separated, as PagerDuty signs during a secret rotation. */
export function signatureHeader(rawBody: string, secrets: string[]): string {
  return secrets.map((s) => `v1=${createHmac('sha256', s).update(rawBody, 'utf8').digest('hex')}`).join(',');
}

export interface OutgoingEvent {
  eventType: string;
  serviceId: string;
  teamIds: string[];
  /** The `event` object, without its id (each subscription's delivery gets its own). */
  event: Record<string, unknown>;
}

export class WebhookSender {
  private subs: WebhookSubscription[] = [];
  private readonly deliveries: WebhookDelivery[] = [];
  private readonly chains = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<AbortController>();
  private closed = false;
  private nextId = 1;

  constructor(
    private readonly log: (msg: string) => void,
    private readonly attempts: number,
    private readonly retryDelayMs: number,
  ) {}

  add(input: WebhookSubscriptionInput): WebhookSubscription {
    if (typeof input.url !== 'string' || !/^https?:\/\//.test(input.url))
      throw new Error('A webhook subscription needs an http(s) "url"');
    const events = input.events ?? [...INCIDENT_EVENT_TYPES];
    const unknown = events.filter((e) => !(INCIDENT_EVENT_TYPES as readonly string[]).includes(e));
    if (unknown.length > 0)
      throw new Error(`The simulator emits no ${unknown.join(', ')}; known: ${INCIDENT_EVENT_TYPES.join(', ')}`);
    const secrets = input.secrets ?? [randomBytes(24).toString('base64url')];
    if (secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s === ''))
      throw new Error('"secrets" must be non-empty strings');
    const sub: WebhookSubscription = {
      id: `PWS${String(this.nextId++).padStart(4, '0')}`,
      url: input.url,
      events,
      filter: input.filter ?? { type: 'account_reference' },
      secrets: [...secrets],
      customHeaders: input.customHeaders ?? [],
    };
    this.subs.push(sub);
    return structuredClone(sub);
  }

  rotate(id: string, secrets: string[]): void {
    const sub = this.subs.find((s) => s.id === id);
    if (!sub) throw new Error(`No webhook subscription ${id}`);
    if (secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s === ''))
      throw new Error('"secrets" must be one or more non-empty strings');
    sub.secrets = [...secrets];
  }

  remove(id: string): void {
    this.subs = this.subs.filter((s) => s.id !== id);
  }

  subscriptions(): WebhookSubscription[] {
    return structuredClone(this.subs);
  }

  history(): WebhookDelivery[] {
    return this.deliveries.map((d) => ({ ...d }));
  }

  async settled(): Promise<void> {
    for (;;) {
      const before = [...this.chains.values()];
      await Promise.all(before);
      const after = [...this.chains.values()];
      if (after.length === before.length && after.every((c, k) => c === before[k])) return;
    }
  }

  notify(e: OutgoingEvent, atIso: string): void {
    for (const sub of this.subs) {
      if (!sub.events.includes(e.eventType) || !matches(sub, e)) continue;
      const id = randomUUID();
      const body = JSON.stringify({ event: { id, ...e.event } });
      const signature = signatureHeader(body, sub.secrets);
      const record: WebhookDelivery = {
        subscriptionId: sub.id,
        webhookId: id,
        eventType: e.eventType,
        url: sub.url,
        at: atIso,
        attempts: 0,
        status: 0,
        body,
        signature,
      };
      this.deliveries.push(record);
      if (this.deliveries.length > KEEP_DELIVERIES) this.deliveries.shift();
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'user-agent': 'PagerDuty-Webhook/V3.0',
        'x-pagerduty-signature': signature,
        'x-webhook-id': id,
        'x-webhook-subscription': sub.id,
      };
      for (const h of sub.customHeaders) headers[h.name.toLowerCase()] = h.value;
      // In order per subscription: a receiver must not see `resolved` before the `acknowledged` before it.
      const chain = (this.chains.get(sub.id) ?? Promise.resolve()).then(() => this.deliver(sub.url, headers, record));
      this.chains.set(sub.id, chain);
    }
  }

  private async deliver(url: string, headers: Record<string, string>, record: WebhookDelivery): Promise<void> {
    for (let attempt = 1; attempt <= this.attempts && !this.closed; attempt++) {
      if (attempt > 1) await new Promise((r) => setTimeout(r, this.retryDelayMs).unref());
      record.attempts = attempt;
      const abort = new AbortController();
      this.inFlight.add(abort);
      const timeout = setTimeout(() => abort.abort(), TIMEOUT_MS);
      timeout.unref();
      try {
        const res = await fetch(url, { method: 'POST', headers, body: record.body, signal: abort.signal });
        record.status = res.status;
        delete record.error;
        await res.arrayBuffer().catch(() => undefined);
        // PagerDuty retries 429 and 5xx; any other 4xx is a permanent failure (docs/pagerduty.md#webhooks-v3).
        if (res.status < 300 || (res.status < 500 && res.status !== 429)) return;
        this.log(`webhook ${url} answered ${res.status} for ${record.eventType}`);
      } catch (e) {
        record.status = 0;
        record.error = e instanceof Error ? e.message : String(e);
        if (!this.closed) this.log(`webhook ${url} failed for ${record.eventType}: ${record.error}`);
      } finally {
        clearTimeout(timeout);
        this.inFlight.delete(abort);
      }
    }
  }

  clear(): void {
    this.subs = [];
  }

  close(): void {
    this.closed = true;
    for (const a of this.inFlight) a.abort();
    this.inFlight.clear();
  }
}

function matches(sub: WebhookSubscription, e: OutgoingEvent): boolean {
  switch (sub.filter.type) {
    case 'service_reference':
      return sub.filter.id === e.serviceId;
    case 'team_reference':
      return sub.filter.id !== undefined && e.teamIds.includes(sub.filter.id);
    default:
      return true;
  }
}
