export { ConfigError, loadServerConfig, configWarnings } from './load.js';
export type { ServerConfig, DeepPartial, TargetConfig, ServerConfigOverrides } from './schema.js';
