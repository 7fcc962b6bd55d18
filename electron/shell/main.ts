/** Electron main-process entry (bundled as ESM by build/bundle-desktop.ts next to preload.cjs and renderer/). */
import { defaultPaths, startKlaxonApp } from './klaxon-app.js';

startKlaxonApp(defaultPaths(import.meta.dirname)).catch((e: unknown) => {
  console.error('[klaxon] failed to start', e);
  process.exit(1);
});
