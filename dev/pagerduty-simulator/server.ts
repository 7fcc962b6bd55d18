/**
 * HTTP routing: control plane first (loopback only), then, for everything that looks like
 * PagerDuty, the request log and fault injection, then the Events API or the REST API. A faulted
 * request never reaches the handlers, so it has no effect on state.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { handleControlApi } from './control-api.js';
import { EVENTS_PATH, EVENTS_THROTTLED_BODY, handleEventsApi } from './events-api.js';
import { BodyTooLarge, isLoopback, json, parseJson, readBody, send, type Reply, type SimRequest } from './http-io.js';
import { handleRestApi } from './rest-api.js';
import type { Simulator } from './simulator.js';
import type { FaultKind, SimulatorControl } from './types.js';

const LOGGED_BODY_MAX = 16 * 1024;

export interface SimulatorServer {
  server: Server;
  /** Ends held (timed-out) requests and every open connection. */
  dropConnections(): void;
}

export function createSimulatorServer(sim: Simulator, control: SimulatorControl): SimulatorServer {
  const held = new Set<Socket>();
  const server = createServer((req, res) => {
    handle(sim, control, req, res, held).catch((e: unknown) => {
      sim.log(`internal error on ${req.method} ${req.url}: ${e instanceof Error ? e.stack : String(e)}`);
      send(res, json(500, { error: { message: 'Simulator internal error', code: 2000, errors: [] } }));
    });
  });
  server.keepAliveTimeout = 5_000;
  return {
    server,
    dropConnections() {
      for (const s of held) s.destroy();
      held.clear();
      server.closeAllConnections();
    },
  };
}

async function handle(
  sim: Simulator,
  control: SimulatorControl,
  req: IncomingMessage,
  res: ServerResponse,
  held: Set<Socket>,
): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const url = new URL(req.url ?? '/', 'http://simulator.invalid');
  const path = url.pathname;

  if (path.startsWith('/_sim/')) {
    if (!isLoopback(req.socket.remoteAddress))
      return send(res, json(403, { error: 'The simulator control API answers loopback callers only' }));
    const simReq = await toSimRequest(req, method, path, url);
    if (!simReq) return send(res, json(413, { error: 'Request body too large' }));
    return send(res, await handleControlApi(sim, control, simReq));
  }

  const entry = sim.requestLog.add({ method, path, status: 0, atMs: sim.clock.now(), realMs: Date.now() });
  if (typeof req.headers.from === 'string') entry.from = req.headers.from;
  if (url.search !== '') entry.query = url.search.slice(1);
  entry.headers = documentedHeaders(req);
  res.on('finish', () => {
    entry.status = res.statusCode;
  });
  const simReq = await toSimRequest(req, method, path, url);
  if (!simReq)
    return send(
      res,
      path === EVENTS_PATH
        ? json(413, { status: 'Request too large', message: 'Events API payloads are limited to 512 KB', errors: [] })
        : json(413, { error: { message: 'Request Entity Too Large', code: 2001, errors: [] } }),
    );
  if (method !== 'GET' && simReq.body !== undefined && simReq.rawBody.length <= LOGGED_BODY_MAX)
    entry.body = simReq.body;

  const latency = sim.faults.latencyFor(path);
  if (latency > 0) await new Promise((r) => setTimeout(r, latency).unref());
  if (res.destroyed) return;

  const fault = sim.faults.roll(path);
  if (fault) {
    entry.fault = fault;
    sim.log(`fault ${fault} on ${method} ${path}`);
    return injectFault(sim, fault, path === EVENTS_PATH, req, res, held);
  }

  const reply: Reply = handleEventsApi(sim, simReq) ?? handleRestApi(sim, simReq);
  sim.log(`${method} ${path} -> ${reply.status}`);
  send(res, reply);
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

async function toSimRequest(req: IncomingMessage, method: string, path: string, url: URL): Promise<SimRequest | null> {
  let rawBody: string;
  try {
    rawBody = await readBody(req);
  } catch (e) {
    if (e instanceof BodyTooLarge) return null;
    throw e;
  }
  const { body, jsonError } = parseJson(rawBody);
  return { method, path, query: url.searchParams, headers: req.headers, rawBody, body, jsonError };
}

function injectFault(
  sim: Simulator,
  fault: FaultKind,
  events: boolean,
  req: IncomingMessage,
  res: ServerResponse,
  held: Set<Socket>,
): void {
  switch (fault) {
    case 'reset':
      req.socket.destroy();
      return;
    case 'timeout': {
      // Hold the socket: the client waits until its own timeout; close() releases it.
      const socket = req.socket;
      held.add(socket);
      socket.once('close', () => held.delete(socket));
      return;
    }
    case 'error': {
      const status = sim.faults.errorStatus;
      if (status === 500)
        return send(
          res,
          events
            ? json(500, { status: 'error', message: 'Internal Server Error', errors: [] })
            : json(500, {
                error: {
                  message: 'An internal error has occurred. PagerDuty team has been notified.',
                  code: 2000,
                  errors: [],
                },
              }),
        );
      return send(res, { status, text: status === 502 ? 'Bad Gateway' : 'Service Unavailable' });
    }
    case 'rateLimit':
      return send(
        res,
        events
          ? json(429, EVENTS_THROTTLED_BODY)
          : json(
              429,
              { error: { message: 'Rate Limit Exceeded', code: 2020 } },
              { 'ratelimit-limit': '960', 'ratelimit-remaining': '0', 'ratelimit-reset': '30' },
            ),
      );
    case 'malformed':
      return send(res, {
        status: events ? 202 : 200,
        text: events ? '{"status":"succ' : '{"incidents":[{"id":"P',
        contentType: 'application/json',
      });
  }
}
