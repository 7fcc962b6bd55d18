import type { ServerConfig } from '../config/index.js';
import type { Metrics } from '../http/metrics.js';
import type { Logger } from '../runtime/logger.js';
import type { PagingBackend } from './paging-backend.js';
import { splunkOnCallBackend } from './splunk-oncall/backend.js';

/**
 * The paging backend this server's configuration describes. Splunk On-Call (the `oncall` block) is
 * the only one today; a second backend is chosen here from its own block.
 */
export function createPagingBackend(
  config: ServerConfig,
  deps: { metrics: Pick<Metrics, 'upstreamCalls'>; logger: Logger },
): PagingBackend {
  return splunkOnCallBackend(config, deps);
}
