// Benchmark 4 (chaos), for a PagerDuty target: the same run through the Events API v2. Fewer pages
// and a longer deadline: Klaxon keeps to PagerDuty's documented 120 events a minute per integration
// key (2 a second, server/backends/pagerduty/client.ts), retries included, and a 429 holds every
// event back for as long as PagerDuty asks, so with half the events failing 500 pages would take
// many minutes by design.
import { runChaos } from './chaos-run.js';

await runChaos({ name: 'chaos_pd', service: 'pagerduty', pages: 80, deadlineMs: 360_000 });
