// Klaxon server: public entry points for the CLI, the demo launcher and tests.
export { loadServerConfig, ConfigError, configWarnings } from './config/index.js';
export type { ServerConfig, DeepPartial, ServerConfigOverrides } from './config/index.js';
export { startKlaxonServer } from './start.js';
export type { RunningServer, StartOptions } from './start.js';
export { CONTENT_SECURITY_POLICY } from './http/web-ui.js';
