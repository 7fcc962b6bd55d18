// One process (SQLite) with an On-Call and a PagerDuty target, against both simulators: PagerDuty's
// outage does not hold back an On-Call page's resend, and On-Call answering again does not make
// PagerDuty's failing pages due (test/support/services-apart.ts).
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startServer, startStack, type Stack } from '#test/support/server-stack.js';
import { pagerDutyDownOnCallBack, SLOW_RETRIES } from '#test/support/services-apart.js';

let stack: Stack;
let server: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  stack = await startStack({ pagerduty: {} });
  server = await startServer(stack, SLOW_RETRIES);
});
afterAll(async () => {
  await server?.close();
  await stack?.close();
});

// Up to a minute for the PagerDuty page's long backoff draw, then 20 s for the On-Call page.
describe('each paging service on its own, in one process', { timeout: 120_000 }, () => {
  it('PagerDuty down, On-Call back: the On-Call page goes, the PagerDuty pages keep their schedule', async () => {
    await pagerDutyDownOnCallBack(stack, [server]);
  });
});
