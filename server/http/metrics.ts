import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every Prometheus metric the server exposes at /metrics, in one registry per server instance
 * (tests start several servers in one process, so no global registry). Long on purpose: a list of
 * declarations, kept together so `docs/operations.md#metrics-and-alerts` can be checked against it.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'klaxon_' });
  const m = {
    registry,
    upstreamCalls: new Counter({
      name: 'klaxon_upstream_requests_total',
      help: 'Requests to the paging services (Splunk On-Call; PagerDuty endpoints start with pd_) by endpoint and outcome (HTTP status, or timeout/network).',
      labelNames: ['endpoint', 'status'] as const,
      registers: [registry],
    }),
    pollDuration: new Histogram({
      name: 'klaxon_poll_duration_seconds',
      help: 'Time taken by one incidents poll of On-Call.',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    snapshotAge: new Gauge({
      name: 'klaxon_snapshot_age_seconds',
      help: 'Seconds since the incidents snapshot was last refreshed from On-Call.',
      registers: [registry],
    }),
    sseClients: new Gauge({
      name: 'klaxon_sse_clients',
      help: 'Connected server-sent-event clients.',
      registers: [registry],
    }),
    pagesByStatus: new Gauge({
      name: 'klaxon_pages',
      help: 'Pages in the outbox by status (given-up pages are counted as status="gave_up").',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
    oldestUndeliveredPage: new Gauge({
      name: 'klaxon_oldest_undelivered_page_age_seconds',
      help: 'Age of the oldest page of the last 7 days that On-Call has not taken yet and that is still being tried (queued, delivering, failing; not given up); 0 when there is none.',
      registers: [registry],
    }),
    unconfirmedPages: new Gauge({
      name: 'klaxon_unconfirmed_pages',
      help: 'Delivered pages of the last 7 days whose incident has not appeared in On-Call within delivery.unconfirmedAfterSeconds (not yet acknowledged or resolved).',
      registers: [registry],
    }),
    pagesCreated: new Counter({
      name: 'klaxon_pages_created_total',
      help: 'Pages accepted (202).',
      registers: [registry],
    }),
    deliveryAttempts: new Counter({
      name: 'klaxon_delivery_attempts_total',
      help: 'Page delivery attempts to the paging service by outcome (not_sent: no rate-limit slot within the lease).',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    targetProblems: new Gauge({
      name: 'klaxon_target_problem',
      help: 'Configured page targets with a problem found by the target check (1), by target id and problem (unknown_target, case_mismatch, not_lower_case, no_policy, nobody_at_once, nobody_on_call_now).',
      labelNames: ['target', 'problem'] as const,
      registers: [registry],
    }),
    targetMuted: new Gauge({
      name: 'klaxon_target_muted',
      help: 'Whether paging to a configured page target is muted (maintenance mode) as of the last look: 1 muted, 0 not.',
      labelNames: ['target'] as const,
      registers: [registry],
    }),
    targetChecks: new Counter({
      name: 'klaxon_target_checks_total',
      help: 'Checks of one page target by outcome: ok, problem, or failed (the paging service could not be asked).',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    pagesUnconfirmed: new Counter({
      name: 'klaxon_pages_unconfirmed_total',
      help: 'Delivered pages whose incident did not appear within delivery.unconfirmedAfterSeconds.',
      registers: [registry],
    }),
    pagesMuted: new Counter({
      name: 'klaxon_pages_muted_total',
      help: 'Pages whose incident paged nobody because paging was muted (maintenance mode).',
      registers: [registry],
    }),
    chatPending: new Gauge({
      name: 'klaxon_chat_announcements_pending',
      help: 'Chat announcements queued and not posted yet, by channel (chat.irc[].name, chat.webhooks[].name).',
      labelNames: ['channel'] as const,
      registers: [registry],
    }),
    chatFailed: new Gauge({
      name: 'klaxon_chat_announcements_failed',
      help: 'Chat announcements given up in the last 24 hours (never posted, or their outcome unknown), by channel.',
      labelNames: ['channel'] as const,
      registers: [registry],
    }),
    chatOldestPending: new Gauge({
      name: 'klaxon_chat_oldest_pending_seconds',
      help: 'Age of the oldest chat announcement not posted yet, by channel (0 when none waits).',
      labelNames: ['channel'] as const,
      registers: [registry],
    }),
    chatAttempts: new Counter({
      name: 'klaxon_chat_attempts_total',
      help: 'Attempts to post a chat announcement by channel and outcome (sent, retry, not_sent_gave_up, unknown_gave_up, unknown).',
      labelNames: ['channel', 'outcome'] as const,
      registers: [registry],
    }),
    chatConnected: new Gauge({
      name: 'klaxon_chat_irc_connected',
      help: 'Whether this server is connected to an IRC channel and in it (1) or not (0), by channel.',
      labelNames: ['channel'] as const,
      registers: [registry],
    }),
    authFailures: new Counter({
      name: 'klaxon_auth_failures_total',
      help: 'Refused requests by reason (missing_token, invalid_token, expired, wrong_audience, forbidden, csrf, …).',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    isLeader: new Gauge({
      name: 'klaxon_leader',
      help: 'Whether this replica is the leader (1) or a follower (0); always 1 on a single SQLite server.',
      registers: [registry],
    }),
    leaderEpoch: new Gauge({
      name: 'klaxon_leader_epoch',
      help: 'The leadership epoch this replica last saw (incremented on every election).',
      registers: [registry],
    }),
    leaderInfo: new Gauge({
      name: 'klaxon_leader_info',
      help: 'The replica that leads, as this replica knows it (value 1, the name in the label).',
      labelNames: ['leader'] as const,
      registers: [registry],
    }),
    elections: new Counter({
      name: 'klaxon_leader_elections_total',
      help: 'Times this replica was elected leader.',
      registers: [registry],
    }),
    journalSeq: new Gauge({
      name: 'klaxon_event_journal_seq',
      help: 'The newest shared event (journal sequence number) this replica has applied.',
      registers: [registry],
    }),
    webhookUpdates: new Counter({
      name: 'klaxon_webhook_updates_total',
      help: 'Incident states carried by webhooks, by what the server did with them (applied, out_of_view, unchanged, older, backwards, unknown, no_state).',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    escalations: new Counter({
      name: 'klaxon_escalations_total',
      help: 'Escalations to the fallback policy by paging service (oncall, pagerduty), reason (nobody_paged, page_unacknowledged, requested) and outcome (rerouted, dry_run, refused, failed, released, already).',
      labelNames: ['service', 'reason', 'outcome'] as const,
      registers: [registry],
    }),
    escalatorUp: new Gauge({
      name: 'klaxon_escalator_up',
      help: "1 while the escalator can act on a paging service's incidents (its user and policy exist), 0 when it stopped or is still checking; absent for a service without a fallback policy.",
      labelNames: ['service'] as const,
      registers: [registry],
    }),
    escalatorSkips: new Counter({
      name: 'klaxon_escalator_skipped_runs_total',
      help: 'Escalator runs that decided nothing, by paging service and reason (stale: incident data older than two poll intervals; not_leader; stopped).',
      labelNames: ['service', 'reason'] as const,
      registers: [registry],
    }),
  };
  m.isLeader.set(1);
  return m;
}
export type Metrics = ReturnType<typeof createMetrics>;
