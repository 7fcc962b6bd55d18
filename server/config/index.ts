export { ConfigError, loadServerConfig, configWarnings, ENV_OVERRIDES } from './load.js';
export { ServerConfigSchema } from './schema.js';
export type {
  ServerConfig,
  DeepPartial,
  TargetConfig,
  ServerConfigOverrides,
  IrcChannelConfig,
  WebhookChannelConfig,
} from './schema.js';
