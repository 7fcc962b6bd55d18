/** What the demo prints: where things are, who can sign in, how to make something happen. */
export interface DemoUrls {
  server: string;
  idp: string;
  simulator: string;
  pagerduty: string;
}

export function accountsText(
  groups: { page: string[]; acknowledge: string[] },
  accounts: { username: string; name: string; groups: string[] }[],
): string {
  const can = (g: string[]) => {
    const page = g.some((x) => groups.page.includes(x));
    const ack = g.some((x) => groups.acknowledge.includes(x));
    if (page && ack) return 'see incidents, page SRE, acknowledge';
    if (page) return 'see incidents, page SRE';
    if (ack) return 'see incidents, acknowledge';
    return 'nothing: sees the "not authorised" screen';
  };
  const rows = accounts.map(
    (a) =>
      `  ${a.username.padEnd(6)} ${a.name.padEnd(16)} groups: ${(a.groups.join(', ') || '(none)').padEnd(12)} can: ${can(a.groups)}`,
  );
  return ['Demo accounts (password = username):', ...rows].join('\n');
}

export function triggerText(u: DemoUrls): string {
  const post = (path: string, body: string) =>
    `curl -s -X POST ${u.simulator}${path} -H 'content-type: application/json' -d '${body}'`;
  return [
    'Make something happen (On-Call simulator control API):',
    `  open an incident:   ${post('/_sim/incidents', '{"title":"Search cluster red","routingKey":"sre"}')}`,
    `  acknowledge it:     ${post('/_sim/incidents/<number>/ack', '{"userName":"carol"}')}`,
    `  fail all deliveries: ${post('/_sim/faults', '{"errorRate":1,"paths":["/integrations"]}')}`,
    `  back to normal:     curl -s -X DELETE ${u.simulator}/_sim/faults`,
    'Pages that wake nobody (see the page dialog, the page status and the server log):',
    `  maintenance mode for everything: ${post('/_sim/maintenance', '{"purpose":"Demo maintenance","startedBy":"dmitri"}')}`,
    `  mute one target (sre):           ${post('/_sim/maintenance', '{"routingKeys":["sre"],"purpose":"Failover test"}')}`,
    `  end a maintenance mode:          curl -s -X DELETE ${u.simulator}/_sim/maintenance/<instanceId from the answer>`,
    `  an incident that pages nobody:   ${post('/_sim/incidents', '{"title":"Queue backlog growing","routingKey":"platform-hours"}')}`,
    `  nobody on call for sre:          ${post('/_sim/oncall', '{"rotationSlug":"rtg-sreprimary00001","usernames":[]}')}`,
    `  pages never show up (a rule rewrites their entity_id): ${post('/_sim/rules', '{"rules":[{"when":{"field":"monitoring_tool","matches":"klaxon"},"set":{"entity_id":"rewritten/${{entity_id}}"}}]}')}`,
    `  undo that rule:                  curl -s -X DELETE ${u.simulator}/_sim/rules`,
    'PagerDuty simulator (target "SRE on PagerDuty"; its control API is in dev/pagerduty-simulator/README.md):',
    `  its incidents:                 curl -s -X GET ${u.pagerduty}/_sim/incidents`,
    `  fail all PagerDuty events:     curl -s -X POST ${u.pagerduty}/_sim/faults -H 'content-type: application/json' -d '{"errorRate":1,"paths":["/v2/enqueue"]}'`,
    `  PagerDuty back to normal:      curl -s -X DELETE ${u.pagerduty}/_sim/faults`,
  ].join('\n');
}

/** The one line printed when the log goes quiet, so the way in stays at the bottom of the terminal. */
export function reminderText(serverUrl: string, accounts: { username: string }[]): string {
  const names = accounts.map((a) => a.username);
  const who = names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : (names[0] ?? '');
  return `— Klaxon demo: web UI ${serverUrl}/ · sign in as ${who} (password = name) · Ctrl+C stops everything —`;
}
