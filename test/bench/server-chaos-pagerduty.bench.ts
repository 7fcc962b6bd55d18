// Benchmark 4 (chaos), for a PagerDuty target: the same run through the Events API v2. Fewer pages:
// Klaxon keeps to PagerDuty's documented 120 events a minute per integration key (2 a second,
// server/backends/pagerduty/client.ts), retries included, so 500 pages would take minutes by design.
import { runChaos } from './chaos-run.js';

await runChaos({ name: 'chaos_pd', service: 'pagerduty', pages: 150, deadlineMs: 300_000 });
