import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The same build runs in Klaxon desktop (app://klaxon/index.html) and from the Klaxon server at `/`,
// so every asset URL is relative. Paths are anchored to this file, not to the working directory.
const here = import.meta.dirname;

export default defineConfig({
  root: here,
  base: './',
  plugins: [react()],
  build: {
    outDir: `${here}/../dist/renderer`,
    emptyOutDir: true,
    // Strict CSP (script-src 'self'): never inline scripts or assets as data: URLs in scripts.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    rolldownOptions: {
      treeshake: {
        // common/ (the contract) only declares things: importing one of its modules runs nothing
        // else, so a module none of whose exports the UI uses (the IPC channel map, settings and
        // badge rules, …) is left out of the bundle.
        moduleSideEffects: [{ test: /\/common\/[^/]+\.ts$/, sideEffects: false }],
      },
    },
  },
});
