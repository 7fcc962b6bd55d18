/** Desktop test state built from the shared contract builders (test/support/builders.ts). */
import type { ClientState, Incident } from '#common/index.js';
import { clientConfig, me, snapshot } from './builders.js';

export const liveState = (incidents: Incident[], over: Partial<ClientState> = {}): ClientState => ({
  serverUrl: 'https://klaxon.example.org',
  config: clientConfig(),
  auth: { status: 'signed-in', me: me() },
  link: { status: 'live', lastDataAt: '2026-11-22T12:00:00.000Z', error: null, retryAt: null },
  snapshot: snapshot(incidents),
  storage: { mode: 'encrypted', message: null },
  ...over,
});
