// Benchmark 4 (chaos), for an On-Call target: 500 pages through faults and three SIGKILLed
// restarts, each delivered exactly once (chaos-run.ts says how).
import { runChaos } from './chaos-run.js';

await runChaos({ name: 'chaos', service: 'oncall', pages: 500, deadlineMs: 240_000 });
