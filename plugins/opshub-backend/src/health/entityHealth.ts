import {
  worstHealthState,
  type OpsHubEntityHealth,
  type OpsHubHealthCheck,
} from '@opshub/plugin-opshub-common';
import { apiCheck } from './apiCheck';
import type { HealthStore, StoredHealthCheck } from './HealthStore';
import { openWindowAt } from './maintenance/maintenanceWindows';
import type { MaintenanceWindowStore } from './maintenance/MaintenanceWindowStore';

/**
 * How checks read through the API and OpsHub's actions: each with its
 * uptime, open incident and maintenance windows, and an entity's checks
 * with its overall state.
 */
export function healthReads(deps: {
  store: Pick<HealthStore, 'uptime' | 'openIncidents' | 'listChecks'>;
  maintenance: Pick<MaintenanceWindowStore, 'listForChecks'>;
  now: () => number;
}) {
  const { store, now } = deps;

  /** Checks as the API shows them, with uptime and open incidents. */
  async function withStanding(
    checks: StoredHealthCheck[],
  ): Promise<OpsHubHealthCheck[]> {
    if (checks.length === 0) return [];
    const ids = checks.map(c => c.id);
    const at = now();
    const [uptime, incidents, windows] = await Promise.all([
      store.uptime(ids, at),
      store.openIncidents(ids),
      deps.maintenance.listForChecks(ids, at),
    ]);
    return checks.map(c => {
      const own = windows.get(c.id) ?? [];
      return apiCheck(c, uptime.get(c.id), incidents.get(c.id), {
        windows: own,
        now: openWindowAt(own, at) !== undefined,
      });
    });
  }

  /**
   * An entity's health: its own checks with their worst state, and apart
   * the checks of its live previews (which do not count in the state).
   */
  async function entityHealth(entityRef: string): Promise<OpsHubEntityHealth> {
    const all = await withStanding(await store.listChecks(entityRef));
    const checks = all.filter(c => c.source !== 'preview');
    return {
      // A disabled check is not probed: its last state says nothing now.
      state: worstHealthState(checks.filter(c => c.enabled).map(c => c.state)),
      checks,
      previews: all.filter(c => c.source === 'preview'),
    };
  }

  return { withStanding, entityHealth };
}
