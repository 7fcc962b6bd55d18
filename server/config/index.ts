export { ConfigError, loadServerConfig, configWarnings, ENV_OVERRIDES } from './load.js';
export { ServerConfigSchema, MIN_POLL_INTERVAL_SECONDS } from './schema.js';
export type { ServerConfig, ServerConfigInput, DeepPartial, TargetConfig, ServerConfigOverrides } from './schema.js';
