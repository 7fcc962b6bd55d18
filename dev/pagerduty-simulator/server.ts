/**
 * PagerDuty's HTTP answers on the shared plumbing (`../simulator-kit/http-server.ts`): the control
 * API, then the Events API or the REST API; the Events API's 512 KB limit (docs/pagerduty.md#events-api-v2),
 * PagerDuty's error bodies, and the headers a client sent kept in the request log.
 */
import { createSimulatorServer as createServer, type SimulatorServer } from '../simulator-kit/http-server.js';
import { json } from '../simulator-kit/http-io.js';
import type { IncomingMessage } from 'node:http';
import { handleControlApi } from './control-api.js';
import { EVENTS_PATH, handleEventsApi } from './events-api.js';
import { handleRestApi } from './rest-api.js';
import type { Simulator } from './simulator.js';
import type { SimulatorControl } from './types.js';

export function createSimulatorServer(sim: Simulator, control: SimulatorControl): SimulatorServer {
  return createServer(sim, {
    maxBodyBytes: 512 * 1024,
    jsonContentType: 'application/json; charset=utf-8',
    internalErrorBody: { error: { message: 'Simulator internal error', code: 2000, errors: [] } },
    control: (req) => handleControlApi(sim, control, req),
    tooLarge: (path) =>
      path === EVENTS_PATH
        ? json(413, { status: 'Request too large', message: 'Events API payloads are limited to 512 KB', errors: [] })
        : json(413, { error: { message: 'Request Entity Too Large', code: 2001, errors: [] } }),
    describe(entry, req, url) {
      if (typeof req.headers.from === 'string') entry.from = req.headers.from;
      if (url.search !== '') entry.query = url.search.slice(1);
      entry.headers = documentedHeaders(req);
    },
    route: (req) => handleEventsApi(sim, req) ?? handleRestApi(sim, req),
  });
}

/** The request headers PagerDuty's API documents name, so tests can check what a client sent. */
function documentedHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['accept', 'content-type', 'from'] as const) {
    const v = req.headers[name];
    if (typeof v === 'string') out[name] = v;
  }
  return out;
}
