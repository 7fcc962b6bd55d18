/**
 * The REST endpoint integration `POST /integrations/generic/20131114/alert/{key}/{routingKey}`
 * (docs/splunk-oncall.md#rest-endpoint-alert). The answer comes at once; the effect after the consistency delay.
 */
import { randomUUID } from 'node:crypto';
import { isRecord, json, type Reply, type SimRequest } from './http-io.js';
import { DEFAULT_ROUTING_KEY } from './org.js';
import type { Simulator } from './simulator.js';

export const REST_ENDPOINT_PREFIX = '/integrations/generic/20131114/alert';

const KNOWN_TYPES = new Set(['CRITICAL', 'WARNING', 'INFO', 'ACKNOWLEDGEMENT', 'RECOVERY']);

/**
 * `OK` means RECOVERY; anything unrecognised is accepted as INFO, as On-Call documents
 * (docs/splunk-oncall.md#rest-endpoint-alert).
 */
export function normaliseMessageType(v: string): string {
  const t = v.trim().toUpperCase();
  if (t === 'OK') return 'RECOVERY';
  return KNOWN_TYPES.has(t) ? t : 'INFO';
}

export function handleRestEndpoint(sim: Simulator, req: SimRequest): Reply | null {
  const rest = req.path.slice(REST_ENDPOINT_PREFIX.length);
  const m = rest.match(/^\/([^/]+)(?:\/([^/]*))?\/?$/);
  if (!m || req.method !== 'POST') return null;
  const key = decodeURIComponent(m[1]!);
  if (key !== sim.org.org.restEndpointKey) return json(404, { result: 'failure', message: 'Unknown API key' });

  const failure = json(sim.restFailureStatus, { result: 'failure', message: 'Missing fields: message_type' });
  const body = req.body;
  if (req.jsonError || !isRecord(body) || typeof body.message_type !== 'string' || body.message_type.trim() === '')
    return failure;

  // Routing keys are case-insensitive and limited to letters, digits, '-' and '_'; others take the default route.
  const sentKey = decodeURIComponent(m[2] ?? '').toLowerCase();
  const routingKey = /^[a-z0-9_-]+$/.test(sentKey) ? sentKey : DEFAULT_ROUTING_KEY;
  const messageType = normaliseMessageType(body.message_type);
  const sentId = typeof body.entity_id === 'number' ? String(body.entity_id) : body.entity_id;
  const entityId = typeof sentId === 'string' && sentId !== '' ? sentId : randomUUID();
  const receivedAt = sim.clock.now();
  const fields = { ...body, routing_key: routingKey };
  sim.pending.schedule(() => sim.store.applyRestAlert(routingKey, messageType, entityId, fields, receivedAt));
  return json(200, { result: 'success', entity_id: entityId });
}
