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
  },
});
