// The curl commands the demo prints (and the README repeats) do what they say against the real
// simulator: each is run as an HTTP request, and its effect is checked through the public API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { triggerText } from '#dev/demo/demo-text.js';
import { startOnCallSimulator, type RunningSimulator } from '#dev/oncall-simulator/index.js';
import { startPagerDutySimulator, type RunningPagerDutySimulator } from '#dev/pagerduty-simulator/index.js';

let sim: RunningSimulator;
let pd: RunningPagerDutySimulator;
beforeAll(async () => {
  sim = await startOnCallSimulator({ seed: 'demo', rateLimit: false });
  pd = await startPagerDutySimulator({ rateLimit: false });
});
afterAll(async () => {
  await Promise.all([sim.close(), pd.close()]);
});

/** The printed command after `label:`, run as the HTTP request it describes. */
async function run(label: string, fill: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const text = triggerText({ server: 'http://unused', idp: 'http://unused', simulator: sim.url, pagerduty: pd.url });
  const line = text.split('\n').find((l) => l.trimStart().startsWith(`${label}:`));
  if (!line) throw new Error(`the demo prints no "${label}" command`);
  const m = /curl -s -X (\w+) (\S+)(?: -H '[^']*' -d '(.*)')?$/.exec(line.replace(/<[^>]+>/g, (k) => fill[k] ?? k));
  if (!m) throw new Error(`cannot read the command: ${line}`);
  const res = await fetch(m[2]!, {
    method: m[1]!,
    ...(m[3] ? { headers: { 'content-type': 'application/json' }, body: m[3] } : {}),
  });
  const body: unknown = await res.json().catch(() => null);
  return { status: res.status, body };
}

const ok = (r: { status: number }) => expect(r.status).toBeLessThan(300);
const simGet = async (path: string) =>
  (await (await fetch(`${sim.url}/_sim/${path}`)).json()) as Record<string, unknown>;

describe('the commands the demo prints', () => {
  it('open and acknowledge an incident, and fail deliveries and undo it', async () => {
    const opened = await run('open an incident');
    ok(opened);
    const number = (opened.body as { incidentNumber: string }).incidentNumber;
    ok(await run('acknowledge it', { '<number>': number }));
    ok(await run('fail all deliveries'));
    expect((await simGet('faults')).faults).toMatchObject({ errorRate: 1 });
    ok(await run('back to normal'));
  });

  it('start and end maintenance mode, for everything or one target', async () => {
    const all = await run('maintenance mode for everything');
    ok(all);
    const id = (all.body as { instanceId: string }).instanceId;
    const one = await run('mute one target (sre)');
    ok(one);
    expect(sim.control.maintenance().map((m) => [m.isGlobal, m.targets[0]!.names])).toEqual([
      [true, []],
      [false, ['sre']],
    ]);
    ok(await run('end a maintenance mode', { '<instanceId from the answer>': id }));
    ok(
      await run('end a maintenance mode', {
        '<instanceId from the answer>': (one.body as { instanceId: string }).instanceId,
      }),
    );
    expect(sim.control.maintenance()).toEqual([]);
  });

  it('open an incident that pages nobody, empty a rotation, and rewrite pages with a rule and undo it', async () => {
    const unpaged = await run('an incident that pages nobody');
    ok(unpaged);
    expect((unpaged.body as { incident: { pagedUsers: string[]; currentPhase: string } }).incident).toMatchObject({
      currentPhase: 'UNACKED',
      pagedUsers: [],
    });
    ok(await run('nobody on call for sre'));
    ok(await run('pages never show up (a rule rewrites their entity_id)'));
    expect((await simGet('rules')).rules).toHaveLength(1);
    ok(await run('undo that rule'));
    expect((await simGet('rules')).rules).toEqual([]);
  });

  it('list the PagerDuty simulator’s incidents, and fail its events and undo it', async () => {
    const listed = await run('its incidents');
    ok(listed);
    expect((listed.body as { incidents: unknown[] }).incidents.length).toBeGreaterThan(0);
    ok(await run('fail all PagerDuty events'));
    const faulted = (await (await fetch(`${pd.url}/_sim/faults`)).json()) as { faults: unknown };
    expect(faulted.faults).toMatchObject({ errorRate: 1, paths: ['/v2/enqueue'] });
    ok(await run('PagerDuty back to normal'));
    const normal = (await (await fetch(`${pd.url}/_sim/faults`)).json()) as { faults: Record<string, unknown> };
    expect(normal.faults.errorRate ?? 0).toBe(0);
  });
});
