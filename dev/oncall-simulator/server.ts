/**
 * HTTP routing for the simulator: control plane first (loopback only), then, for everything that
 * looks like On-Call, the request log and fault injection, then the REST endpoint or public API.
 * A faulted request never reaches the handlers, so it has no effect on state.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { handleControlApi } from './control-api.js';
import { BodyTooLarge, isLoopback, json, parseJson, readBody, send, type Reply, type SimRequest } from './http-io.js';
import { gatePublicApi, handlePublicApi } from './public-api.js';
import { handleRestEndpoint, REST_ENDPOINT_PREFIX } from './rest-endpoint.js';
import type { Simulator } from './simulator.js';
import type { FaultKind } from './types.js';

const LOGGED_BODY_MAX = 16 * 1024;

export interface SimulatorServer {
  server: Server;
  /** Ends held (timed-out) requests and every open connection. */
  dropConnections(): void;
}

export function createSimulatorServer(sim: Simulator): SimulatorServer {
  const held = new Set<Socket>();
  const server = createServer((req, res) => {
    handle(sim, req, res, held).catch((e: unknown) => {
      sim.log(`internal error on ${req.method} ${req.url}: ${e instanceof Error ? e.stack : String(e)}`);
      send(res, json(500, { error: 'Simulator internal error' }));
    });
  });
  // Clients (undici) keep connections alive; the simulator must still close promptly.
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

async function handle(sim: Simulator, req: IncomingMessage, res: ServerResponse, held: Set<Socket>): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const url = new URL(req.url ?? '/', 'http://simulator.invalid');
  const path = url.pathname;

  if (path.startsWith('/_sim/')) {
    if (!isLoopback(req.socket.remoteAddress))
      return send(res, json(403, { error: 'The simulator control API answers loopback callers only' }));
    const simReq = await toSimRequest(req, method, path, url);
    if (!simReq) return send(res, json(413, { error: 'Request body too large' }));
    return send(res, handleControlApi(sim, simReq));
  }

  const entry = sim.requestLog.add({ method, path, status: 0, atMs: sim.clock.now(), realMs: Date.now() });
  res.on('finish', () => {
    entry.status = res.statusCode;
  });
  const simReq = await toSimRequest(req, method, path, url);
  if (!simReq) return send(res, json(413, { error: 'Request body too large' }));
  if (method !== 'GET' && simReq.body !== undefined && simReq.rawBody.length <= LOGGED_BODY_MAX)
    entry.body = simReq.body;

  const latency = sim.faults.latencyFor(path);
  if (latency > 0) await new Promise((r) => setTimeout(r, latency).unref());
  if (res.destroyed) return;

  const fault = sim.faults.roll(path);
  if (fault) {
    entry.fault = fault;
    sim.log(`fault ${fault} on ${method} ${path}`);
    return injectFault(sim, fault, req, res, held);
  }

  let reply: Reply | null;
  if (path.startsWith(`${REST_ENDPOINT_PREFIX}/`)) {
    reply = handleRestEndpoint(sim, simReq) ?? json(404, { result: 'failure', message: 'Not found' });
  } else if (path.startsWith('/api-public/') || path.startsWith('/api-reporting/')) {
    reply =
      gatePublicApi(sim, simReq) ??
      handlePublicApi(sim, simReq) ??
      json(404, { error: `No such endpoint: ${method} ${path}` });
  } else {
    reply = json(404, { error: `No such endpoint: ${method} ${path}` });
  }
  sim.log(`${method} ${path} -> ${reply.status}`);
  send(res, reply);
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
      const status = sim.faults.errorStatus();
      return send(
        res,
        status === 503 ? { status, text: 'no healthy upstream' } : { status, text: 'Internal Server Error' },
      );
    }
    case 'rateLimit':
      return send(res, json(429, { message: 'Too Many Requests' }));
    case 'malformed':
      return send(res, { status: 200, text: '{"incidents":[{"incidentNumber":"10', contentType: 'application/json' });
  }
}
