// Replica chaos: 500 pages through HAProxy to three Klaxon servers on one PostgreSQL database
// while the simulator's REST endpoint injects 30% errors, 10% timeouts and 10% 429s; the leader is
// SIGKILLed three times, a follower twice, and PostgreSQL restarts once (each killed server is
// restarted half a second later, as a supervisor would). SSE clients spread over the replicas by
// the load balancer reconnect with Last-Event-ID. Targets: 500 delivered, 0 doubled, 0 missing
// (counted in the simulator per entity_id), every final status on every replica, 0 events missed.
// The single-server run with the same faults is server-chaos.bench.ts.
import { percentile, bench } from './server-bench-kit.js';
import { runReplicaChaos } from '../support/replica-chaos.js';

const PAGES = 500;
const r = await runReplicaChaos({
  pages: PAGES,
  actions: ['leader', 'follower', 'leader', 'database', 'follower', 'leader'],
  gapMs: 3000,
  users: 25,
  sseClients: 30,
  deadlineMs: 300_000,
  durable: true,
  log: (line) => console.log(`chaos: ${line}`),
});
const silence = [...r.sse.longestSilenceMs].sort((a, b) => a - b);
const failover = [...r.failoverMs].sort((a, b) => a - b);
bench('replica_chaos.pages_submitted', r.submitted, 'pages');
bench('replica_chaos.leader_kills', r.actions.filter((a) => a.startsWith('leader')).length, 'kills');
bench('replica_chaos.follower_kills', r.actions.filter((a) => a.startsWith('follower')).length, 'kills');
bench('replica_chaos.database_restarts', r.actions.filter((a) => a.startsWith('database')).length, 'restarts');
bench('replica_chaos.client_resends', r.resends, 'requests');
bench('replica_chaos.delivered_exactly_once', r.exactlyOnce, 'pages');
bench('replica_chaos.duplicate_incidents', r.duplicates, 'pages');
bench('replica_chaos.missing_incidents', r.missing, 'pages');
bench('replica_chaos.final_status_on_every_replica', r.visibleOnEveryReplica, 'pages');
bench('replica_chaos.attempts.mean', r.attemptsMean, 'attempts');
bench('replica_chaos.time_to_deliver.p50', percentile(r.toDeliverMs, 50), 'ms');
bench('replica_chaos.time_to_deliver.p99', percentile(r.toDeliverMs, 99), 'ms');
bench('replica_chaos.failover.p50', percentile(failover, 50), 'ms');
bench('replica_chaos.failover.max', failover[failover.length - 1] ?? NaN, 'ms');
bench('replica_chaos.sse.clients', r.sse.clients, 'clients');
bench('replica_chaos.sse.longest_silence.p50', percentile(silence, 50), 'ms');
bench('replica_chaos.sse.longest_silence.p99', percentile(silence, 99), 'ms');
bench('replica_chaos.sse.resumes', r.sse.resumes, 'reconnects');
bench('replica_chaos.sse.resumes_answered_with_snapshot', r.sse.resumesWithSnapshot, 'reconnects');
bench('replica_chaos.sse.events_missed_after_resume', r.sse.missedAfterResume, 'events');
bench('replica_chaos.upstream_list_calls', r.listCalls, 'requests');
bench('replica_chaos.upstream_list_calls_per_second', r.listCalls / r.seconds, 'req/s');
bench('replica_chaos.total', r.seconds, 's');
if (r.exactlyOnce !== PAGES || r.visibleOnEveryReplica !== PAGES || r.sse.missedAfterResume !== 0) {
  console.log(
    `# FAILED: ${PAGES - r.exactlyOnce} pages not delivered exactly once, ${PAGES - r.visibleOnEveryReplica} not final on every replica, ${r.sse.missedAfterResume} events missed`,
  );
  process.exitCode = 1;
}
