/**
 * Debian's Chromium with no network chatter of its own (never `npx playwright install`).
 * The release workflow's hosted runners point KLAXON_CHROMIUM_PATH at their own Chromium.
 */
export const CHROMIUM_PATH = process.env.KLAXON_CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
