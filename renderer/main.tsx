import { createRoot } from 'react-dom/client';
import type { KlaxonBridge } from '#common/index.js';
import { createDesktopApi } from './api/desktop-adapter.js';
import { createWebApi } from './api/web-adapter.js';
import { ApiContext } from './components/api-context.js';
import { App } from './components/App.js';
import { startErrorReports } from './error-reports/start.js';

declare global {
  interface Window {
    klaxon?: KlaxonBridge;
  }
}

// Test and screenshot hook: ?theme=dark|light forces a theme; otherwise prefers-color-scheme decides.
const forced = new URLSearchParams(window.location.search).get('theme');
if (forced === 'dark' || forced === 'light') document.documentElement.dataset.theme = forced;

// Klaxon desktop's preload defines window.klaxon; served by the Klaxon server, there is none.
const api = window.klaxon ? createDesktopApi(window.klaxon) : createWebApi();
// Off unless a Sentry DSN is configured (the server's client config, or IT's policy on the desktop).
startErrorReports(api, window.klaxon ?? null);
const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <ApiContext value={api}>
      <App />
    </ApiContext>,
  );
