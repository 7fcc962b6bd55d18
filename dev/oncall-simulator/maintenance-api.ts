/**
 * Maintenance mode in the public API (docs/splunk-oncall.md#maintenance-mode): read the active modes,
 * start one for routing keys (none = global), end one by its id. Every answer is the state after the call.
 */
import { isRecord, json, type Reply, type SimRequest } from '../simulator-kit/http-io.js';
import { MaintenanceError } from './maintenance.js';
import { ControlError, type Simulator } from './simulator.js';

const V1 = '/api-public/v1';
const err = (status: number, error: string): Reply => json(status, { error });

/** Who the service names as `startedBy` for a mode started through the public API (fastmail/Synergy reads it). */
export const STARTED_BY_PUBLIC_API = 'PUBLICAPI';

export function handleMaintenanceApi(sim: Simulator, req: SimRequest): Reply | null {
  const { method, path } = req;
  let m: RegExpMatchArray | null;
  if (path === `${V1}/maintenancemode` && method === 'GET') return state(sim);
  if (path === `${V1}/maintenancemode/start` && method === 'POST') {
    const b = req.body ?? {};
    if (!isRecord(b)) return err(400, 'Send {"type": "RoutingKeys", "names": [...], "purpose": "…"}');
    if (b.type !== undefined && b.type !== 'RoutingKeys') return err(400, 'type must be "RoutingKeys"');
    const names = b.names ?? [];
    if (!Array.isArray(names) || names.some((n) => typeof n !== 'string'))
      return err(400, 'names must be a list of routing keys (empty for global maintenance mode)');
    if (b.purpose !== undefined && typeof b.purpose !== 'string') return err(400, 'purpose must be a string');
    try {
      sim.maintenance.start({
        routingKeys: names as string[],
        purpose: (b.purpose as string | undefined) ?? '',
        startedBy: STARTED_BY_PUBLIC_API,
        at: sim.clock.now(),
      });
    } catch (e) {
      if (e instanceof MaintenanceError) return err(e.status, e.message);
      throw e;
    }
    return state(sim);
  }
  if ((m = path.match(/^\/api-public\/v1\/maintenancemode\/([^/]+)\/end$/)) && method === 'PUT') {
    try {
      sim.endMaintenance(decodeURIComponent(m[1]!));
    } catch (e) {
      if (e instanceof ControlError) return err(e.status, e.message);
      throw e;
    }
    return state(sim);
  }
  return null;
}

function state(sim: Simulator): Reply {
  return json(200, { companyId: sim.org.org.orgSlug, activeInstances: sim.maintenance.list() });
}
