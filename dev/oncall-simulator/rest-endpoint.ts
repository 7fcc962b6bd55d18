/**
 * The REST endpoint integration `POST /integrations/generic/20131114/alert/{key}/{routingKey}`
 * (docs/splunk-oncall.md#rest-endpoint-alert). The answer comes at once; the effect (after the Rules Engine)
 * after the consistency delay.
 */
import { randomUUID } from 'node:crypto';
import { isRecord, json, type Reply, type SimRequest } from '../simulator-kit/http-io.js';
import { DEFAULT_ROUTING_KEY } from './org.js';
import { applyRules } from './rules.js';
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

  const failure = json(sim.switches.restFailureStatus, { result: 'failure', message: 'Missing fields: message_type' });
  const body = req.body;
  if (req.jsonError || !isRecord(body) || typeof body.message_type !== 'string' || body.message_type.trim() === '')
    return failure;

  const sentId = typeof body.entity_id === 'number' ? String(body.entity_id) : body.entity_id;
  const entityId = typeof sentId === 'string' && sentId !== '' ? sentId : randomUUID();
  const receivedAt = sim.clock.now();
  const sentKey = decodeURIComponent(m[2] ?? '');
  // The Rules Engine runs when the alert is processed, after this answer; the answer names the entity_id as sent.
  const rules = sim.rules;
  sim.pending.schedule(() => {
    const fields = applyRules(rules, { ...body, entity_id: entityId, routing_key: sentKey });
    const routingKey = recordedKey(sim, fields.routing_key);
    const messageType = normaliseMessageType(typeof fields.message_type === 'string' ? fields.message_type : 'INFO');
    const id = typeof fields.entity_id === 'string' && fields.entity_id !== '' ? fields.entity_id : entityId;
    sim.store.applyRestAlert(routingKey, messageType, id, { ...fields, routing_key: routingKey }, receivedAt);
  });
  return json(200, { result: 'success', entity_id: entityId });
}

/**
 * The key an incident records: keys are letters, digits, '-' and '_' (others take the default route
 * and are recorded as it); lower-cased unless keys are case-sensitive (docs/splunk-oncall.md#routing-keys).
 */
function recordedKey(sim: Simulator, sent: unknown): string {
  const key = sim.org.normaliseKey(typeof sent === 'string' ? sent : '', sim.switches.routingKeyCase);
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : DEFAULT_ROUTING_KEY;
}
