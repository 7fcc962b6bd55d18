import type { TeamRef } from '#common/index.js';
import type { SendAlertResult } from '../paging-backend.js';
import { seconds, transportError, UpstreamError } from '../upstream-error.js';
import type { Metrics } from '../../http/metrics.js';
import { type Clock, systemClock } from '../../runtime/clock.js';
import { type Logger, silentLogger } from '../../runtime/logger.js';
import type { TimeSlicer } from '../../runtime/time-slice.js';
import { UpstreamLimiter } from '../upstream-limiter.js';
import { upstreamRequest, type UpstreamResponse } from '../upstream-http.js';
import { alertOutcome } from './alert.js';
import {
  readMaintenanceModes,
  readPolicy,
  readPolicyList,
  readRoutingKeys,
  readTeamSchedule,
  readRerouteStatuses,
  readUserNames,
  type WireMaintenanceMode,
  type WireRerouteStatus,
  type WirePolicy,
  type WirePolicyInfo,
  type WireRotationOnCall,
  type WireRoutingKey,
} from './wire-org.js';
import {
  WireAckResult,
  WireIncident,
  WireOnCallTeam,
  WireTeamMember,
  errorGist,
  NO_REASON,
  readAckResults,
  readIncident,
  readIncidentList,
  readOnCallCurrent,
  readTeamMembers,
  readTeams,
} from './wire.js';

export interface OnCallClientOptions {
  apiBaseUrl: string;
  apiId: string;
  apiKey: string;
  restEndpointBaseUrl: string;
  restEndpointKey: string;
  /** Per-request timeout of the public API (`oncall.timeoutMs`). */
  timeoutMs: number;
  /** Per-alert timeout of the REST endpoint, a different service (`delivery.timeoutMs`). */
  alertTimeoutMs: number;
  metrics?: Pick<Metrics, 'upstreamCalls'> | null;
  logger?: Logger;
  /** Requests per second for the whole public API; default 2, the limit On-Call documents. */
  ratePerSecond?: number;
  clock?: Clock;
}

/** `Retry-After` in milliseconds from `now`: delta seconds or an HTTP date (RFC 9110); null when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (header === null || header.trim() === '') return null;
  const v = header.trim();
  if (/^\d+$/.test(v)) return Number(v) > 0 ? Number(v) * 1000 : null;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now) || null;
}

/**
 * The only code that talks to Splunk On-Call. All public-API calls share one limiter (≤ 2 req/s
 * however many callers), every request has a timeout, a 429 pauses everyone (for `Retry-After`
 * when On-Call sends one), and nothing is retried here: GET callers
 * retry on their own schedule (the hub's backoff, the on-call cache), writes are never retried
 * automatically because they are not idempotent.
 */
export class OnCallClient {
  private readonly limiter: UpstreamLimiter;
  private readonly log: Logger;
  private consecutiveThrottles = 0;
  private readonly clock: Clock;

  constructor(private readonly opts: OnCallClientOptions) {
    this.clock = opts.clock ?? systemClock;
    this.limiter = new UpstreamLimiter({ perSecond: opts.ratePerSecond ?? 2, clock: this.clock });
    this.log = opts.logger ?? silentLogger;
  }

  /** `GET /api-public/v1/incidents`: open, acknowledged and recently resolved incidents. */
  async listIncidents(slicer?: TimeSlicer): Promise<WireIncident[]> {
    const body = await this.call('incidents', 'GET', '/api-public/v1/incidents');
    const parsed = await readIncidentList(body, slicer);
    if (!parsed) throw this.malformed('incidents', 'the incident list is not {"incidents": [...]}');
    if (parsed.problems.length > 0)
      this.log.warn(
        { endpoint: 'incidents', problems: parsed.problems.slice(0, 10) },
        'On-Call returned incidents Klaxon could only partly read',
      );
    return parsed.incidents;
  }

  /** `GET /api-public/v1/incidents/{n}`: one incident, active or not; null when On-Call does not know the number. */
  async getIncident(n: string): Promise<WireIncident | null> {
    if (!/^\d+$/.test(n))
      throw new UpstreamError('not_found', `Incident number "${n}" is not a number.`, 'incident', { retryable: false });
    try {
      const body = await this.call('incident', 'GET', `/api-public/v1/incidents/${n}`);
      const r = readIncident(body);
      if (!r.ok) throw this.malformed('incident', r.reason);
      return r.incident;
    } catch (e) {
      if (e instanceof UpstreamError && e.kind === 'not_found') return null;
      throw e;
    }
  }

  /** `PATCH /api-public/v1/incidents/ack`. Never retried automatically. A 404 means On-Call does not know `userName`. */
  async ackIncidents(userName: string, numbers: string[], message?: string): Promise<WireAckResult[]> {
    const body = await this.call('ack', 'PATCH', '/api-public/v1/incidents/ack', {
      userName,
      incidentNames: numbers,
      ...(message ? { message } : {}),
    });
    const results = readAckResults(body);
    if (!results) throw this.malformed('ack', 'the acknowledgement answer has no "results" list');
    return results;
  }

  /**
   * `POST /api-public/v1/incidents/reroute`: sends one incident to an escalation policy, as
   * Wikimedia's escalate_unpaged and Splunk's Go client send it (`incidentNumber` as a string,
   * `EscalationPolicy` targets). Never retried automatically. A 404 means On-Call does not know `userName`.
   */
  async reroute(userName: string, incidentNumber: string, policySlug: string): Promise<WireRerouteStatus[]> {
    const body = await this.call('reroute', 'POST', '/api-public/v1/incidents/reroute', {
      userName,
      reroutes: [{ incidentNumber, targets: [{ type: 'EscalationPolicy', slug: policySlug }] }],
    });
    const statuses = readRerouteStatuses(body);
    if (!statuses) throw this.malformed('reroute', 'the reroute answer has no "statuses" list');
    return statuses;
  }

  /** `GET /api-public/v1/user/{user}`: whether the user exists (service users too, who are in no team). */
  async userExists(username: string): Promise<boolean> {
    try {
      await this.call('user', 'GET', `/api-public/v1/user/${encodeURIComponent(username)}`);
      return true;
    } catch (e) {
      if (e instanceof UpstreamError && e.kind === 'not_found') return false;
      throw e;
    }
  }

  /** `GET /api-public/v1/oncall/current`: who is on call now, per team and policy. */
  async oncallCurrent(): Promise<WireOnCallTeam[]> {
    const body = await this.call('oncall_current', 'GET', '/api-public/v1/oncall/current');
    const teams = readOnCallCurrent(body);
    if (!teams) throw this.malformed('oncall_current', 'the on-call answer has no "teamsOnCall" list');
    return teams;
  }

  /** `GET /api-public/v1/team`: every team (slug and name). */
  async teams(): Promise<TeamRef[]> {
    const body = await this.call('teams', 'GET', '/api-public/v1/team');
    const teams = readTeams(body);
    if (!teams) throw this.malformed('teams', 'the team list is not a list');
    return teams;
  }

  /** `GET /api-public/v1/team/{slug}/members`: members of one team, with first and last names. */
  async teamMembers(slug: string): Promise<WireTeamMember[]> {
    const body = await this.call('team_members', 'GET', `/api-public/v1/team/${encodeURIComponent(slug)}/members`);
    const members = readTeamMembers(body);
    if (!members) throw this.malformed('team_members', 'the member list has no "members" list');
    return members;
  }

  /** `GET /api-public/v1/org/routing-keys`: every routing key with the escalation policies it pages. */
  async routingKeys(): Promise<WireRoutingKey[]> {
    const body = await this.call('routing_keys', 'GET', '/api-public/v1/org/routing-keys');
    const keys = readRoutingKeys(body);
    if (!keys) throw this.malformed('routing_keys', 'the routing key list has no "routingKeys" list');
    return keys;
  }

  /** `GET /api-public/v1/policies`: every escalation policy with its team. */
  async policies(): Promise<WirePolicyInfo[]> {
    const body = await this.call('policies', 'GET', '/api-public/v1/policies');
    const policies = readPolicyList(body);
    if (!policies) throw this.malformed('policies', 'the policy list has no "policies" list');
    return policies;
  }

  /** `GET /api-public/v1/policies/{slug}`: one escalation policy with its steps; null when On-Call does not know it. */
  async policy(slug: string): Promise<WirePolicy | null> {
    try {
      const body = await this.call('policy', 'GET', `/api-public/v1/policies/${encodeURIComponent(slug)}`);
      const policy = readPolicy(body);
      if (!policy) throw this.malformed('policy', 'the policy has no "steps" list');
      return policy;
    } catch (e) {
      if (e instanceof UpstreamError && e.kind === 'not_found') return null;
      throw e;
    }
  }

  /**
   * `GET /api-public/v2/team/{slug}/oncall/schedule?step=`: per policy of the team, who is on call now
   * in the rotation entries of step `step` (0 = first; On-Call answers for steps 0 to 3).
   */
  async teamSchedule(teamSlug: string, step: number): Promise<Map<string, WireRotationOnCall[]>> {
    const path = `/api-public/v2/team/${encodeURIComponent(teamSlug)}/oncall/schedule?daysForward=1&step=${step}`;
    const body = await this.call('team_schedule', 'GET', path);
    const schedule = readTeamSchedule(body);
    if (!schedule) throw this.malformed('team_schedule', 'the team schedule has no "schedules" list');
    return schedule;
  }

  /** `GET /api-public/v1/maintenancemode`: the active maintenance modes. */
  async maintenanceModes(): Promise<WireMaintenanceMode[]> {
    const body = await this.call('maintenance_mode', 'GET', '/api-public/v1/maintenancemode');
    const modes = readMaintenanceModes(body);
    if (!modes) throw this.malformed('maintenance_mode', 'the maintenance state has no "activeInstances" list');
    return modes;
  }

  /** `GET /api-public/v2/user`: every user's display name. */
  async userNames(): Promise<Map<string, string>> {
    const body = await this.call('users', 'GET', '/api-public/v2/user');
    const names = readUserNames(body);
    if (!names) throw this.malformed('users', 'the user list has no "users" list');
    return names;
  }

  /**
   * One alert through the REST endpoint integration (`POST <restEndpointBaseUrl>/<key>/<routing
   * key>`). A timeout or network error is retryable; what an answer means is `alertOutcome`'s to
   * say. Not rate-limited here: it is a different service from the public API and the delivery
   * worker spaces its own attempts.
   */
  async sendAlert(routingKey: string, body: Record<string, unknown>): Promise<SendAlertResult> {
    const base = this.opts.restEndpointBaseUrl.replace(/\/+$/, '');
    const url = `${base}/${encodeURIComponent(this.opts.restEndpointKey)}/${encodeURIComponent(routingKey)}`;
    const count = (status: string) => this.opts.metrics?.upstreamCalls.inc({ endpoint: 'alert', status });
    let res: UpstreamResponse;
    try {
      res = await upstreamRequest(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'user-agent': 'klaxon-server' },
        body: JSON.stringify(body),
        timeoutMs: this.opts.alertTimeoutMs,
      });
    } catch (e) {
      const err = transportError('On-Call', 'alert', e, this.opts.alertTimeoutMs);
      count(err.kind);
      this.log.warn({ endpoint: 'alert', routingKey, reason: err.message }, 'On-Call alert not sent');
      return { ok: false, retryable: true, error: err.message };
    }
    count(String(res.status));
    const out = alertOutcome(res.status, res.text, body.entity_id);
    if (out.ok) return out;
    this.log.warn(
      { endpoint: 'alert', routingKey, status: res.status, retryable: out.retryable, reason: out.error },
      'On-Call alert not accepted',
    );
    return out;
  }

  /** One public-API request through the shared limiter; returns parsed JSON or throws UpstreamError. */
  private async call(
    endpoint: string,
    method: 'GET' | 'PATCH' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<unknown> {
    await this.limiter.acquire();
    const url = this.opts.apiBaseUrl.replace(/\/+$/, '') + path;
    const headers: Record<string, string> = {
      'X-VO-Api-Id': this.opts.apiId,
      'X-VO-Api-Key': this.opts.apiKey,
      accept: 'application/json',
      'user-agent': 'klaxon-server',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: UpstreamResponse;
    try {
      res = await upstreamRequest(url, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        timeoutMs: this.opts.timeoutMs,
      });
    } catch (e) {
      const err = transportError('On-Call', endpoint, e, this.opts.timeoutMs);
      this.opts.metrics?.upstreamCalls.inc({ endpoint, status: err.kind });
      this.log.warn({ endpoint, method, reason: err.message }, 'On-Call request failed');
      throw err;
    }
    this.opts.metrics?.upstreamCalls.inc({ endpoint, status: String(res.status) });
    const text = res.text;
    if (res.ok) {
      this.consecutiveThrottles = 0;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw this.malformed(endpoint, `the answer is not JSON (${JSON.stringify(text.slice(0, 60))})`);
      }
    }
    const err = this.httpError(endpoint, method, res, text);
    if (err.kind !== 'not_found')
      this.log.warn({ endpoint, method, status: res.status, reason: err.message }, 'On-Call request failed');
    throw err;
  }

  private httpError(endpoint: string, method: string, res: UpstreamResponse, text: string): UpstreamError {
    const status = res.status;
    const detail = errorGist(text);
    const reason = detail || NO_REASON;
    // Only 429 is throttling. The older specification also lists 403 for it, but a 403 is what a
    // read-only or revoked key gets, and pausing every caller for that would hide the real problem.
    if (status === 429) {
      this.consecutiveThrottles++;
      const asked = retryAfterMs(res.header('retry-after'), this.clock.now());
      const backoff = Math.min(30_000, 1000 * 2 ** (this.consecutiveThrottles - 1));
      const waitMs = asked !== null ? Math.min(300_000, asked) : backoff;
      this.limiter.pause(waitMs);
      return new UpstreamError(
        'rate_limited',
        `On-Call is limiting Klaxon's requests (HTTP 429); Klaxon waits ${seconds(waitMs)} before asking again.`,
        endpoint,
        { status, retryable: true, retryAfterMs: waitMs, detail },
      );
    }
    if ((status === 401 || status === 403) && method !== 'GET') {
      return new UpstreamError(
        'auth',
        `On-Call refused the change (HTTP ${status}: ${reason}): Klaxon's On-Call API key is read-only or no longer valid. The Klaxon operator should give oncall.apiKey a key that may make changes.`,
        endpoint,
        { status, retryable: false, detail },
      );
    }
    if (status === 401 || status === 403) {
      return new UpstreamError(
        'auth',
        `On-Call refused Klaxon's API credentials (HTTP ${status}: ${reason}); the operator should check oncall.apiId and oncall.apiKey.`,
        endpoint,
        { status, retryable: false, detail },
      );
    }
    if (status === 404)
      return new UpstreamError('not_found', detail || 'On-Call does not know this item.', endpoint, {
        status,
        retryable: false,
        detail,
      });
    if (status >= 500) {
      return new UpstreamError('http', `On-Call is having problems (HTTP ${status}: ${reason}).`, endpoint, {
        status,
        retryable: true,
        detail,
      });
    }
    return new UpstreamError('http', `On-Call refused the request (HTTP ${status}: ${reason}).`, endpoint, {
      status,
      retryable: false,
      detail,
    });
  }

  private malformed(endpoint: string, reason: string): UpstreamError {
    this.log.warn({ endpoint, reason }, 'On-Call answered with something Klaxon could not read');
    return new UpstreamError(
      'malformed',
      'On-Call answered with something Klaxon could not read; Klaxon keeps showing the last good data.',
      endpoint,
      {
        retryable: true,
        detail: reason,
      },
    );
  }
}
