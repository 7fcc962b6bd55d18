/**
 * Events API v2: `POST /v2/enqueue` (docs/pagerduty.md#events-api-v2). The routing key in the body
 * names a service's integration; validation errors answer 400 with PagerDuty's
 * `{"status","message","errors"}` body, throttling 429, success 202 with the dedup key.
 */
import { json, isRecord, type Reply, type SimRequest } from '../simulator-kit/http-io.js';
import type { TriggerDetails } from './incidents.js';
import type { Simulator } from './simulator.js';
import type { EventAction } from './types.js';

export const EVENTS_PATH = '/v2/enqueue';

const ACTIONS: readonly string[] = ['trigger', 'acknowledge', 'resolve'];
const SEVERITIES: readonly string[] = ['critical', 'warning', 'error', 'info'];

const invalid = (errors: string[]): Reply =>
  json(400, { status: 'invalid event', message: 'Event object is invalid', errors });

/** The 429 body is not documented beyond "Request Limit Exceeded"; this one is ours. */
export const EVENTS_THROTTLED_BODY = { status: 'throttle event', message: 'Request Limit Exceeded', errors: [] };

export function handleEventsApi(sim: Simulator, req: SimRequest): Reply | null {
  if (req.path !== EVENTS_PATH) return null;
  if (req.method !== 'POST') return json(405, { status: 'method not allowed', message: 'Use POST', errors: [] });
  if (req.jsonError || !isRecord(req.body))
    return json(400, {
      status: 'Unrecognized object',
      message: 'Event object format is unrecognized',
      errors: ['JSON parse error'],
    });
  const b = req.body;
  const errors: string[] = [];
  const routingKey = b.routing_key;
  if (typeof routingKey !== 'string' || routingKey === '') errors.push("'routing_key' is missing or blank");
  else {
    if (routingKey.length !== 32) errors.push("Length of 'routing_key' is incorrect (should be 32 characters)");
    if (!/^[A-Za-z0-9]*$/.test(routingKey)) errors.push("'routing_key' cannot contain non-alphanumeric characters.");
  }
  const action = b.event_action;
  if (typeof action !== 'string' || !ACTIONS.includes(action))
    errors.push("'event_action' is missing or blank, or not one of trigger, acknowledge, resolve");
  const dedupKey = b.dedup_key;
  if (dedupKey !== undefined && (typeof dedupKey !== 'string' || dedupKey.length > 255))
    errors.push("'dedup_key' must be a string of at most 255 characters");
  if (action !== 'trigger' && ACTIONS.includes(String(action)) && (typeof dedupKey !== 'string' || dedupKey === ''))
    errors.push("'dedup_key' is missing or blank");
  let details: Omit<TriggerDetails, 'dedupKey'> | undefined;
  if (action === 'trigger') {
    const p = isRecord(b.payload) ? b.payload : null;
    if (!p) errors.push("'payload' is missing or blank");
    else {
      if (typeof p.summary !== 'string' || p.summary.trim() === '')
        errors.push("'payload.summary' is missing or blank");
      else if (p.summary.length > 1024) errors.push("'payload.summary' must be at most 1024 characters");
      if (typeof p.source !== 'string' || p.source.trim() === '') errors.push("'payload.source' is missing or blank");
      if (typeof p.severity !== 'string' || !SEVERITIES.includes(p.severity))
        errors.push("'payload.severity' is missing or blank, or not one of critical, error, warning, info");
      if (p.custom_details !== undefined && !isRecord(p.custom_details))
        errors.push("'payload.custom_details' must be an object");
      if (b.links !== undefined && !Array.isArray(b.links)) errors.push("'links' must be an array");
      details = {
        title: String(p.summary),
        source: String(p.source),
        severity: String(p.severity),
        ...(p.custom_details !== undefined ? { customDetails: p.custom_details } : {}),
        ...(typeof b.client === 'string' ? { client: b.client } : {}),
        ...(typeof b.client_url === 'string' ? { clientUrl: b.client_url } : {}),
        ...(Array.isArray(b.links) ? { links: b.links } : {}),
      };
    }
  }
  if (errors.length > 0) return invalid(errors);

  const rate = sim.limiter.take('events', routingKey as string);
  if (rate && !rate.allowed) return json(429, EVENTS_THROTTLED_BODY);

  const accepted = sim.applyEvent({
    routingKey: routingKey as string,
    action: action as EventAction,
    ...(typeof dedupKey === 'string' && dedupKey !== '' ? { dedupKey } : {}),
    ...(details ? { details } : {}),
    body: b,
  });
  if (!accepted) return invalid(['Invalid routing key']);
  return json(202, accepted);
}
