/**
 * How fast the UI gets a person to a page, in Debian's Chromium against the real stack:
 *  - popover → interactive page dialog = (navigation start → home screen with its "Wake up SRE…"
 *    button) + (click → dialog open with the summary field focused), both measured inside the page;
 *    plus the wall-clock figure including Playwright's own reaction time. Web shell (session
 *    cookie, HTTP + SSE) and desktop shell (renderer with a ready ClientState behind
 *    window.klaxon). p50 over 20 runs after 2 warm-up runs.
 *  - Send → "delivered": click on "Send page now" until the status says delivered, then until it
 *    names the incident number, against the On-Call simulator (no consistency delay). p50 of 8.
 */
import { chromium, type Page } from '@playwright/test';
import { installFixtureBridge } from '../e2e/support/fixture-bridge.js';
import { fixtureOnCall, fixtureState } from '../e2e/support/fixture-state.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/support/chromium.js';
import { signInWeb } from '../e2e/support/browser.js';
import { RENDERER_DIR, startStack } from '../e2e/support/stack.js';
import { serveDirectory } from '../e2e/support/static-server.js';

const RUNS = 20;
const SEND_RUNS = 8;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

// In-page clocks (ms since navigation start): when the home screen's "Wake up SRE…" button exists,
// when the click on it happened, and when the dialog's summary field got the focus. These leave
// out the automation's own reaction time between "button is there" and "click".
const PAGE_CLOCKS = `(() => {
  const t = (window.__klaxonBench = { homeAt: null, clickAt: null, dialogAt: null });
  new MutationObserver(() => {
    if (t.homeAt === null && [...document.querySelectorAll('button')].some((b) => b.textContent === 'Wake up SRE…')) t.homeAt = performance.now();
  }).observe(document, { childList: true, subtree: true });
  document.addEventListener('click', (e) => { if (t.clickAt === null) t.clickAt = e.timeStamp; }, true);
  document.addEventListener('focusin', (e) => { if (t.dialogAt === null && e.target.id === 'page-summary') t.dialogAt = performance.now(); }, true);
})();`;

interface Clocks {
  homeAt: number;
  clickAt: number;
  dialogAt: number;
}

async function popoverToDialog(page: Page, url: string): Promise<{ wall: number; load: number; open: number }> {
  await page.addInitScript({ content: PAGE_CLOCKS });
  const t0 = performance.now();
  await page.goto(url);
  await page.getByRole('button', { name: 'Wake up SRE…' }).click();
  await page.waitForFunction(() => document.activeElement?.id === 'page-summary');
  const wall = performance.now() - t0;
  const c = await page.evaluate(() => (window as unknown as { __klaxonBench: Clocks }).__klaxonBench);
  return { wall, load: c.homeAt, open: c.dialogAt - c.clickAt };
}

function report(name: string, runs: { wall: number; load: number; open: number }[]): void {
  const p50 = (k: 'wall' | 'load' | 'open') =>
    pct(
      runs.map((r) => r[k]),
      50,
    );
  console.log(`BENCH ui.popover_to_dialog.${name}.p50 ${(p50('load') + p50('open')).toFixed(0)} ms`);
  console.log(`BENCH ui.popover_to_dialog.${name}.load_to_home.p50 ${p50('load').toFixed(0)} ms`);
  console.log(`BENCH ui.popover_to_dialog.${name}.click_to_dialog.p50 ${p50('open').toFixed(0)} ms`);
  console.log(`BENCH ui.popover_to_dialog.${name}.wall_with_automation.p50 ${p50('wall').toFixed(0)} ms`);
}

const stack = await startStack();
const renderer = await serveDirectory(RENDERER_DIR);
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
try {
  // Web shell: one sign-in, then fresh tabs in the same browser profile.
  const web = await browser.newContext({ viewport: { width: 380, height: 560 } });
  const first = await web.newPage();
  await signInWeb(first, stack.url, 'alice');
  await first.close();
  const webTimes: Awaited<ReturnType<typeof popoverToDialog>>[] = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const page = await web.newPage();
    const r = await popoverToDialog(page, stack.url);
    if (i >= 2) webTimes.push(r); // two warm-up runs (first JIT / cache fill)
    await page.close();
  }
  report('web', webTimes);

  // Desktop shell: the main process already holds the state; the renderer asks for it over IPC.
  const desk = await browser.newContext({ viewport: { width: 380, height: 560 } });
  const deskTimes: Awaited<ReturnType<typeof popoverToDialog>>[] = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const page = await desk.newPage();
    await installFixtureBridge(page, { state: fixtureState(), oncall: fixtureOnCall, pages: [] });
    const r = await popoverToDialog(page, renderer.url);
    if (i >= 2) deskTimes.push(r);
    await page.close();
  }
  report('desktop', deskTimes);

  // Send → delivered → incident number.
  const page = await web.newPage();
  await page.goto(stack.url);
  const delivered: number[] = [];
  const incident: number[] = [];
  for (let i = 0; i < SEND_RUNS; i++) {
    await page.getByRole('button', { name: 'Wake up SRE…' }).click();
    await page.getByRole('textbox', { name: 'Summary' }).fill(`Benchmark page ${i}: storage array offline`);
    await page.getByRole('button', { name: /continue/i }).click();
    const headline = page.getByRole('dialog').getByTestId('page-headline');
    const send = page.getByRole('button', { name: 'Send page now' });
    await send.waitFor();
    const t0 = performance.now();
    await send.click();
    await headline.getByText(/^Delivered/).waitFor({ timeout: 30_000 });
    delivered.push(performance.now() - t0);
    await headline.getByText(/incident #\d+/).waitFor({ timeout: 30_000 });
    incident.push(performance.now() - t0);
    await page.getByRole('button', { name: 'Done' }).click();
  }
  console.log(`BENCH ui.send_to_delivered.p50 ${pct(delivered, 50).toFixed(0)} ms`);
  console.log(`BENCH ui.send_to_incident_number.p50 ${pct(incident, 50).toFixed(0)} ms`);
} finally {
  await browser.close();
  await renderer.close();
  await stack.close();
}
