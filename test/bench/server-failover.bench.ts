// Failover: three Klaxon servers on one PostgreSQL database behind HAProxy; the leader is SIGKILLed
// six times (each restarted a second later). Measures the time from the kill to the new leader's
// first successful poll of the simulator's incident list (the old leader is dead, so any later
// poll is the new leader's), and to the moment a replica says it leads. Target: < 10 s each.
import { bench, percentile, sleep } from './server-bench-kit.js';
import { startPostgres } from '../support/postgres.js';
import { startReplicaSet } from '../support/replica-set.js';
import { startStack } from '../support/server-stack.js';

const KILLS = 6;
const BUDGET_MS = 10_000;
const db = await startPostgres({ durable: true });
const url = await db.createDatabase('failover');
const stack = await startStack({ sim: { rateLimit: false } });
const set = await startReplicaSet(stack, { postgresUrl: url, extra: { oncall: { pollIntervalSeconds: 10 } } });
const polls = () =>
  stack.sim.control
    .requests()
    .filter((r) => r.method === 'GET' && r.path === '/api-public/v1/incidents' && r.status === 200).length;
const toPoll: number[] = [];
const toElected: number[] = [];
try {
  await set.waitForLeader({ timeoutMs: 30_000 });
  for (let k = 0; k < KILLS; k++) {
    await sleep(3000);
    const { replica, view } = await set.waitForLeader();
    const before = polls();
    const t0 = Date.now();
    await replica.kill('SIGKILL');
    const next = await set.waitForLeader({ not: replica, timeoutMs: 30_000 });
    toElected.push(Date.now() - t0);
    while (polls() === before) await sleep(10);
    toPoll.push(Date.now() - t0);
    console.log(
      `kill ${k + 1}: ${replica.name} (epoch ${view.epoch}) → ${next.replica.name} (epoch ${next.view.epoch}) elected after ${toElected.at(-1)} ms, polled after ${toPoll.at(-1)} ms`,
    );
    await sleep(1000);
    await replica.start();
  }
} finally {
  await set.close();
  await stack.close();
  await db.close();
}
toPoll.sort((a, b) => a - b);
toElected.sort((a, b) => a - b);
bench('failover.kills', KILLS, 'kills');
bench('failover.to_elected.p50', percentile(toElected, 50), 'ms');
bench('failover.to_first_poll.p50', percentile(toPoll, 50), 'ms');
bench('failover.to_first_poll.p99', percentile(toPoll, 99), 'ms');
bench('failover.to_first_poll.p99_vs_10s_budget', percentile(toPoll, 99) / BUDGET_MS, 'x');
if (percentile(toPoll, 99) >= BUDGET_MS) process.exitCode = 1;
