import { defineConfig } from '@playwright/test';

/**
 * Specs of the real Klaxon desktop app through Playwright's `_electron`. They need an Electron
 * binary and the bundle from `npm run build` (dist/desktop/main.js); without a binary every spec
 * is skipped with the reason (the build machines cannot download Electron; the release workflow,
 * .github/workflows/release.yml, runs them).
 */
export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  outputDir: '../../test-results/electron-artifacts',
  workers: 1,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 20_000 },
});
