/** REST API v2 entry: authenticate (and count against the token's rate limit), then route. */
import { json, type Reply, type SimRequest } from '../simulator-kit/http-io.js';
import { authenticate } from './rest-common.js';
import { handleDirectory } from './rest-directory.js';
import { handleIncidents } from './rest-incidents.js';
import type { Simulator } from './simulator.js';

export function handleRestApi(sim: Simulator, req: SimRequest): Reply {
  const caller = authenticate(sim, req);
  if ('status' in caller) return caller;
  sim.tick();
  const reply =
    handleIncidents(sim, req, caller) ??
    handleDirectory(sim, req) ??
    json(404, { error: { message: 'Not Found', code: 2100, errors: [`No such endpoint: ${req.method} ${req.path}`] } });
  return { ...reply, headers: { ...caller.headers, ...(reply.headers ?? {}) } };
}
