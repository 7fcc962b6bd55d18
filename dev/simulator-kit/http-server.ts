/**
 * The HTTP plumbing both simulators share: control plane first (`/_sim/`, loopback only), then, for
 * everything else, the request log, latency and fault injection, then the simulator's own routes.
 * A faulted request never reaches the routes, so it has no effect on state. What differs between
 * the simulators (body limit, JSON content type, error bodies, routes) comes in `SimulatorHttp`,
 * what a faulted request answers from the simulator's own `faults.ts`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { SimClock } from './clock.js';
import type { AnsweredFault, FaultInjector } from './faults.js';
import { BodyTooLarge, isLoopback, json, parseJson, readBody, send, type Reply, type SimRequest } from './http-io.js';
import type { LoggedRequest, RequestLog } from './request-log.js';

/** Request bodies up to this size are kept in the request log. */
const LOGGED_BODY_MAX = 16 * 1024;

/** The parts of a simulator the plumbing reads. */
export interface SimulatorState {
  readonly clock: SimClock;
  /** The simulator's own `faults.ts` says what a faulted request answers (`reply`). */
  readonly faults: Pick<FaultInjector<number>, 'latencyFor' | 'roll'> & {
    reply(fault: AnsweredFault, path: string): Reply;
  };
  readonly requestLog: RequestLog;
  log(message: string): void;
}

/** One simulator's answers. */
export interface SimulatorHttp {
  maxBodyBytes: number;
  jsonContentType: string;
  /** The body of a 500 when a handler throws. */
  internalErrorBody: unknown;
  control(req: SimRequest): Reply | Promise<Reply>;
  /** The answer to an over-long body outside `/_sim/`. */
  tooLarge(path: string): Reply;
  /** Adds what this simulator logs beyond method, path and body. */
  describe?(entry: LoggedRequest, req: IncomingMessage, url: URL): void;
  route(req: SimRequest): Reply;
}

export interface SimulatorServer {
  /** Listens on `host:port` (0: any free port) and answers the base URL. */
  listen(host: string, port: number): Promise<string>;
  /** Stops listening and ends held (timed-out) requests and every open connection; resolves once closed. */
  close(): Promise<void>;
}

export function createSimulatorServer(sim: SimulatorState, http: SimulatorHttp): SimulatorServer {
  const held = new Set<Socket>();
  const reply = (res: ServerResponse, r: Reply) => send(res, r, http.jsonContentType);
  const server = createServer((req, res) => {
    handle(sim, http, req, res, held).catch((e: unknown) => {
      sim.log(`internal error on ${req.method} ${req.url}: ${e instanceof Error ? e.stack : String(e)}`);
      reply(res, json(500, http.internalErrorBody));
    });
  });
  // Clients (undici) keep connections alive; the simulator must still close promptly.
  server.keepAliveTimeout = 5_000;
  let closing: Promise<void> | null = null;
  return {
    async listen(host, port) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const address = server.address() as AddressInfo;
      return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of held) s.destroy();
        held.clear();
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

async function handle(
  sim: SimulatorState,
  http: SimulatorHttp,
  req: IncomingMessage,
  res: ServerResponse,
  held: Set<Socket>,
): Promise<void> {
  const reply = (r: Reply) => send(res, r, http.jsonContentType);
  const method = (req.method ?? 'GET').toUpperCase();
  const url = new URL(req.url ?? '/', 'http://simulator.invalid');
  const path = url.pathname;

  if (path.startsWith('/_sim/')) {
    if (!isLoopback(req.socket.remoteAddress))
      return reply(json(403, { error: 'The simulator control API answers loopback callers only' }));
    const simReq = await toSimRequest(req, method, path, url, http.maxBodyBytes);
    if (!simReq) return reply(json(413, { error: 'Request body too large' }));
    return reply(await http.control(simReq));
  }

  const entry = sim.requestLog.add({ method, path, status: 0, atMs: sim.clock.now(), realMs: Date.now() });
  http.describe?.(entry, req, url);
  res.on('finish', () => {
    entry.status = res.statusCode;
  });
  const simReq = await toSimRequest(req, method, path, url, http.maxBodyBytes);
  if (!simReq) return reply(http.tooLarge(path));
  if (method !== 'GET' && simReq.body !== undefined && simReq.rawBody.length <= LOGGED_BODY_MAX)
    entry.body = simReq.body;

  const latency = sim.faults.latencyFor(path);
  if (latency > 0) await new Promise((r) => setTimeout(r, latency).unref());
  if (res.destroyed) return;

  const fault = sim.faults.roll(path);
  if (fault) {
    entry.fault = fault;
    sim.log(`fault ${fault} on ${method} ${path}`);
    if (fault === 'reset') return void req.socket.destroy();
    if (fault === 'timeout') return hold(req.socket, held);
    return reply(sim.faults.reply(fault, path));
  }

  const answer = http.route(simReq);
  sim.log(`${method} ${path} -> ${answer.status}`);
  reply(answer);
}

async function toSimRequest(
  req: IncomingMessage,
  method: string,
  path: string,
  url: URL,
  maxBodyBytes: number,
): Promise<SimRequest | null> {
  let rawBody: string;
  try {
    rawBody = await readBody(req, maxBodyBytes);
  } catch (e) {
    if (e instanceof BodyTooLarge) return null;
    throw e;
  }
  const { body, jsonError } = parseJson(rawBody);
  return { method, path, query: url.searchParams, headers: req.headers, rawBody, body, jsonError };
}

/** A `timeout` fault: the client waits until its own timeout; `close()` releases it. */
function hold(socket: Socket, held: Set<Socket>): void {
  held.add(socket);
  socket.once('close', () => held.delete(socket));
}
