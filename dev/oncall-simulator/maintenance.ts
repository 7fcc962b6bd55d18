/**
 * Maintenance mode (docs/splunk-oncall.md#maintenance-mode): mutes paging for new incidents on chosen
 * routing keys, or on every key (global). At most one global mode at a time; key-scoped modes may
 * overlap. What ending one does to the incidents it muted is the simulator's business (simulator.ts).
 */
import type { WireMaintenanceMode } from './types.js';

export class MaintenanceError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class MaintenanceModes {
  private active: WireMaintenanceMode[] = [];
  private nextId = 1;

  /**
   * `sameKey` compares a routing key with a mode's key as routing does (case-insensitive or not);
   * `limit` is the most modes active at once.
   */
  constructor(
    private readonly sameKey: (a: string, b: string) => boolean,
    private readonly limit: () => number,
  ) {}

  list(): WireMaintenanceMode[] {
    return structuredClone(this.active);
  }

  /** An empty `routingKeys` starts a global mode. Throws a MaintenanceError the public API answers with. */
  start(m: { routingKeys: string[]; purpose: string; startedBy: string; at: number }): WireMaintenanceMode {
    const isGlobal = m.routingKeys.length === 0;
    if (isGlobal && this.active.some((a) => a.isGlobal))
      throw new MaintenanceError(409, 'A global maintenance mode is already active; only one can be at a time');
    if (this.active.length >= this.limit())
      throw new MaintenanceError(420, 'The limit of active maintenance modes is reached');
    const mode: WireMaintenanceMode = {
      instanceId: `maint-${this.nextId++}`,
      isGlobal,
      startedAt: m.at,
      startedBy: m.startedBy,
      purpose: m.purpose,
      targets: [{ type: 'RoutingKeys', names: [...m.routingKeys] }],
    };
    this.active.push(mode);
    return structuredClone(mode);
  }

  end(instanceId: string): void {
    const before = this.active.length;
    this.active = this.active.filter((a) => a.instanceId !== instanceId);
    if (this.active.length === before) throw new MaintenanceError(404, `No active maintenance mode "${instanceId}"`);
  }

  /** Whether an incident on this routing key would page nobody now. */
  mutes(routingKey: string): boolean {
    return this.active.some(
      (a) => a.isGlobal || a.targets.some((t) => t.names.some((n) => this.sameKey(n, routingKey))),
    );
  }

  clear(): void {
    this.active = [];
  }
}
