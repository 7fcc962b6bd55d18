/**
 * On-Call's HTTP answers on the shared plumbing (`../simulator-kit/http-server.ts`): the control API,
 * then the REST endpoint or the public API; On-Call's 1 MB body limit and error bodies.
 */
import { createSimulatorServer as createServer, type SimulatorServer } from '../simulator-kit/http-server.js';
import { json } from '../simulator-kit/http-io.js';
import { handleControlApi } from './control-api.js';
import { gatePublicApi, handlePublicApi } from './public-api.js';
import { handleRestEndpoint, REST_ENDPOINT_PREFIX } from './rest-endpoint.js';
import type { Simulator } from './simulator.js';

export function createSimulatorServer(sim: Simulator): SimulatorServer {
  return createServer(sim, {
    maxBodyBytes: 1024 * 1024,
    jsonContentType: 'application/json',
    internalErrorBody: { error: 'Simulator internal error' },
    control: (req) => handleControlApi(sim, req),
    tooLarge: () => json(413, { error: 'Request body too large' }),
    route(req) {
      const { method, path } = req;
      if (path.startsWith(`${REST_ENDPOINT_PREFIX}/`))
        return handleRestEndpoint(sim, req) ?? json(404, { result: 'failure', message: 'Not found' });
      if (path.startsWith('/api-public/') || path.startsWith('/api-reporting/'))
        return (
          gatePublicApi(sim, req) ??
          handlePublicApi(sim, req) ??
          json(404, { error: `No such endpoint: ${method} ${path}` })
        );
      return json(404, { error: `No such endpoint: ${method} ${path}` });
    },
  });
}
