import { z } from 'zod/mini';
import { AccessReview, AccessReviewQuery, AuditExportQuery, AuditLogPage, AuditQuery } from './audit.js';
import { ClientConfig, Me } from './client-config.js';
import { IncidentEscalation } from './escalation.js';
import { Incident, IncidentSnapshot } from './incident.js';
import { OnCallNow } from './oncall.js';
import { Page, PageRequest } from './page.js';
import { singleLineText } from './text.js';

const API_PREFIX = '/api/v1';
/** Browser sessions send their CSRF token in this header on POST/PUT/PATCH/DELETE. */
export const CSRF_HEADER = 'x-klaxon-csrf';
export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** Tells the server which kind of client sent a request (`desktop`, `web`). */
export const CLIENT_HEADER = 'x-klaxon-client';

export const AckRequest = z.strictObject({ message: z.optional(singleLineText('message', 0, 200)) });
export type AckRequest = z.input<typeof AckRequest>;
export const AckResult = z.strictObject({ incident: z.nullable(Incident), accepted: z.boolean(), message: z.string() });
export type AckResult = z.infer<typeof AckResult>;

/** "Escalate now" on one's own page: no options, so no fields. */
export const EscalatePageRequest = z.strictObject({});
export const EscalatePageResult = z.strictObject({ page: Page, escalation: IncidentEscalation, message: z.string() });
export type EscalatePageResult = z.infer<typeof EscalatePageResult>;

export const MyPages = z.strictObject({ pages: z.array(Page) });

/**
 * `GET /api/v1/session`: who is signed in, or nobody, always with 200. The web UI asks it on every
 * load: a 401 from `/me` for a person who simply has not signed in yet is logged by the browser as
 * an error on every visit, and errors everyone learns to ignore hide the real ones.
 */
export const SessionInfo = z.strictObject({ me: z.nullable(Me) });
export type SessionInfo = z.infer<typeof SessionInfo>;
export type MyPages = z.infer<typeof MyPages>;

/** Who may call a route. 'none': anyone; 'user': any valid token or session; otherwise the permission needed. */
export type RouteAuth = 'none' | 'user' | 'view' | 'page' | 'acknowledge' | 'audit';

export interface RouteDef {
  method: 'GET' | 'POST';
  path: string;
  /** The server guards the route with this (server/http/contract-route.ts). */
  auth: RouteAuth;
  /** The request body's schema, checked by the server before the route acts. */
  body?: z.ZodMiniType;
  /** The query string's schema (GET), checked the same way. */
  query?: z.ZodMiniType;
  /** What the route answers on success: the server's handlers must return this type; clients parse it. */
  response?: z.ZodMiniType;
  /** The success status the server answers with. */
  status: number;
}

/** Every Klaxon server route, with its schemas: the one source both server and clients use. */
export const routes = {
  clientConfig: {
    method: 'GET',
    path: `${API_PREFIX}/client-config`,
    auth: 'none',
    response: ClientConfig,
    status: 200,
  },
  me: { method: 'GET', path: `${API_PREFIX}/me`, auth: 'user', response: Me, status: 200 },
  session: { method: 'GET', path: `${API_PREFIX}/session`, auth: 'none', response: SessionInfo, status: 200 },
  incidents: { method: 'GET', path: `${API_PREFIX}/incidents`, auth: 'view', response: IncidentSnapshot, status: 200 },
  oncall: { method: 'GET', path: `${API_PREFIX}/oncall`, auth: 'view', response: OnCallNow, status: 200 },
  createPage: {
    method: 'POST',
    path: `${API_PREFIX}/pages`,
    auth: 'page',
    body: PageRequest,
    response: Page,
    status: 202,
  },
  myPages: { method: 'GET', path: `${API_PREFIX}/pages/mine`, auth: 'user', response: MyPages, status: 200 },
  getPage: { method: 'GET', path: `${API_PREFIX}/pages/:id`, auth: 'user', response: Page, status: 200 },
  /** The requester sends their own unacknowledged page's incident to the fallback escalation policy. */
  escalatePage: {
    method: 'POST',
    path: `${API_PREFIX}/pages/:id/escalate`,
    auth: 'page',
    body: EscalatePageRequest,
    response: EscalatePageResult,
    status: 200,
  },
  ackIncident: {
    method: 'POST',
    /** `:number` is the incident's key (`incidentKey`): a bare number is On-Call's (or the server's only service's). */
    path: `${API_PREFIX}/incidents/:number/ack`,
    auth: 'acknowledge',
    body: AckRequest,
    response: AckResult,
    status: 200,
  },
  /** Server-sent events; see sse.ts. */
  events: { method: 'GET', path: `${API_PREFIX}/events`, auth: 'view', status: 200 },
  /** The audit log, newest first, filtered and paged (auditors: `groups.audit`). */
  auditLog: {
    method: 'GET',
    path: `${API_PREFIX}/audit`,
    auth: 'audit',
    query: AuditQuery,
    response: AuditLogPage,
    status: 200,
  },
  /** Every entry the filter matches, as a CSV or JSON file to download (`response`: the file's text). */
  auditExport: {
    method: 'GET',
    path: `${API_PREFIX}/audit/export`,
    auth: 'audit',
    query: AuditExportQuery,
    response: z.string(),
    status: 200,
  },
  /** Who used Klaxon's powers, with the groups seen at their last use, and who has not for N months. */
  accessReview: {
    method: 'GET',
    path: `${API_PREFIX}/audit/access-review`,
    auth: 'audit',
    query: AccessReviewQuery,
    response: AccessReview,
    status: 200,
  },
  /**
   * 204 when `events` would accept one more stream of this person, else the error it would answer
   * (429 at `events.maxStreamsPerUser`). For the web UI: EventSource hides a refused stream's status.
   */
  eventsAdmission: { method: 'GET', path: `${API_PREFIX}/events/admission`, auth: 'view', status: 204 },
  /**
   * On-Call outgoing webhook (shared secret in the `x-klaxon-webhook-secret` header): a body with the
   * incident's state (docs/server-config.md#webhook-payload) is applied at once; any call triggers a refresh.
   */
  oncallWebhook: { method: 'POST', path: `${API_PREFIX}/webhooks/oncall`, auth: 'none', status: 204 },
  /** PagerDuty v3 webhook subscription (signed: `X-PagerDuty-Signature`); triggers a refresh. */
  pagerdutyWebhook: { method: 'POST', path: `${API_PREFIX}/webhooks/pagerduty`, auth: 'none', status: 204 },
} as const satisfies Record<string, RouteDef>;
export type RouteName = keyof typeof routes;

/** A route's path with a query string from the values given (empty and absent ones left out). */
export function routeUrl(name: RouteName, query: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${routes[name].path}?${s}` : routes[name].path;
}

/** Fills `:params` of a route path. */
export function routePath(name: RouteName, params: Record<string, string> = {}): string {
  return routes[name].path.replace(/:([a-z]+)/gi, (_, k: string) => {
    const v = params[k];
    if (v === undefined) throw new Error(`missing route parameter ${k}`);
    return encodeURIComponent(v);
  });
}

/** Browser sign-in routes run by the server for the web UI (outside /api). */
export const webAuthRoutes = { login: '/auth/login', callback: '/auth/callback', logout: '/auth/logout' } as const;
