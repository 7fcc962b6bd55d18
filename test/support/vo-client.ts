/** A tiny On-Call API client for the simulator tests: real HTTP with fetch, nothing mocked. */
import type { RunningSimulator } from '#dev/oncall-simulator/index.js';

export interface VoResponse {
  status: number;
  body: unknown;
  text: string;
  contentType: string | null;
}

export function voHeaders(sim: RunningSimulator, key = sim.apiKey): Record<string, string> {
  return {
    'X-VO-Api-Id': sim.apiId,
    'X-VO-Api-Key': key,
    'Content-Type': 'application/json',
    Accept: 'application/json',
  };
}

async function read(res: Response): Promise<VoResponse> {
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (proxy errors are plain text); tests look at `text`.
  }
  return { status: res.status, body, text, contentType: res.headers.get('content-type') };
}

export async function vo(
  sim: RunningSimulator,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = voHeaders(sim),
): Promise<VoResponse> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return read(res);
}

export async function alert(
  sim: RunningSimulator,
  routingKey: string,
  body: unknown,
  key = sim.restEndpointKey,
): Promise<VoResponse> {
  const res = await fetch(`${sim.restEndpointBaseUrl}/${key}/${routingKey}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return read(res);
}

export async function control(
  sim: RunningSimulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<VoResponse> {
  const res = await fetch(`${sim.url}/_sim${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return read(res);
}

export type WireIncidentLike = Record<string, unknown> & {
  incidentNumber: string;
  currentPhase: string;
  entityId: string;
  alertCount: number;
};

export async function listIncidents(sim: RunningSimulator): Promise<WireIncidentLike[]> {
  const r = await vo(sim, 'GET', '/api-public/v1/incidents');
  if (r.status !== 200) throw new Error(`GET /incidents answered ${r.status}: ${r.text}`);
  return (r.body as { incidents: WireIncidentLike[] }).incidents;
}

export async function byEntity(sim: RunningSimulator, entityId: string): Promise<WireIncidentLike[]> {
  return (await listIncidents(sim)).filter((i) => i.entityId === entityId);
}
