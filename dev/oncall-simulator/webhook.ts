/**
 * The outgoing "Any-Incident" webhook (docs/splunk-oncall.md#outgoing-webhooks): on every incident
 * state change, POST the substituted template as JSON. Failures are recorded and never reach the simulator's callers.
 */
import type { IncidentChange, SimIncident } from './incident.js';
import type { WebhookDelivery, WebhookPayload } from './types.js';

export type WebhookTarget = { url: string; headers?: Record<string, string> } | null;

const KEEP_DELIVERIES = 1000;

export class WebhookSender {
  private readonly deliveries: WebhookDelivery[] = [];
  private readonly inFlight = new Set<AbortController>();
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private sequence = 0;

  constructor(
    private target: WebhookTarget,
    private readonly log: (msg: string) => void,
  ) {}

  setTarget(t: WebhookTarget): void {
    this.target = t;
  }

  history(): WebhookDelivery[] {
    return this.deliveries.map((d) => ({ ...d }));
  }

  /** The template of docs/server-config.md#webhook-payload, as On-Call would fill it in. */
  payloadFor(i: SimIncident, _change: IncidentChange, at: number): WebhookPayload {
    return {
      incident: String(i.number),
      phase: i.phase,
      alert_phase: i.phase,
      entity_id: i.entityId,
      title: i.entityDisplayName,
      ack_user: i.ackUser ?? '',
      alert_count: String(i.alertCount),
      routing_key: i.routingKey,
      team: i.pagedTeams[0] ?? '',
      started_at: String(i.startTime),
      sequence: String(++this.sequence),
      ts: String(at),
    };
  }

  notify(i: SimIncident, change: IncidentChange, at: number): void {
    const target = this.target;
    if (!target) return;
    const payload = this.payloadFor(i, change, at);
    const record: WebhookDelivery = { at: new Date(at).toISOString(), url: target.url, payload, status: 0 };
    this.deliveries.push(record);
    if (this.deliveries.length > KEEP_DELIVERIES) this.deliveries.shift();
    // One at a time, in order: a receiver must not see RESOLVED before the ACKED that preceded it.
    this.chain = this.chain.then(() => this.deliver(target, payload, record));
  }

  private async deliver(
    target: NonNullable<WebhookTarget>,
    payload: WebhookPayload,
    record: WebhookDelivery,
  ): Promise<void> {
    if (this.closed) return;
    const abort = new AbortController();
    this.inFlight.add(abort);
    const timeout = setTimeout(() => abort.abort(), 10_000);
    timeout.unref();
    try {
      const res = await fetch(target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'oncall-simulator-webhook',
          ...(target.headers ?? {}),
        },
        body: JSON.stringify(payload),
        signal: abort.signal,
      });
      record.status = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) this.log(`webhook ${target.url} answered ${res.status} for incident ${payload.incident}`);
    } catch (e) {
      record.error = e instanceof Error ? e.message : String(e);
      if (!this.closed) this.log(`webhook ${target.url} failed for incident ${payload.incident}: ${record.error}`);
    } finally {
      clearTimeout(timeout);
      this.inFlight.delete(abort);
    }
  }

  close(): void {
    this.closed = true;
    for (const a of this.inFlight) a.abort();
    this.inFlight.clear();
  }
}
