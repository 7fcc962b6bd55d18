// The contract shared by server, desktop main process and renderer. zod only.
export * from './text.js';
export * from './incident.js';
export * from './page.js';
export * from './oncall.js';
export * from './errors.js';
export * from './client-config.js';
export * from './client-state.js';
export * from './api.js';
export * from './sse.js';
export * from './ipc.js';
export * from './settings.js';
export * from './badge.js';
export * from './event-reducer.js';
export * from './page-list.js';
export * from './result.js';
export * from './backoff.js';
export * from './access.js';
