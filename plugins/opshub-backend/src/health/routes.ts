import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  OPSHUB_ANNOTATIONS,
  opshubHealthManagePermission,
  opshubHealthReadPermission,
} from '@opshub/plugin-opshub-common';
import type { Request } from 'express';
import Router from 'express-promise-router';
import type { Audited } from '../activity/audited';
import { jsonBody } from '../http/bodyParsers';
import { entityRefParam } from '../http/entityRef';
import { parseInput } from '../http/validation';
import {
  actorRefOf,
  type OpsHubPermission,
  type ProjectAuthorizer,
} from '../rbac/ProjectAuthorizer';
import { apiCheck, definitionOfStored } from './apiCheck';
import { healthReads } from './entityHealth';
import { firstProbeAtMs, latestFirstProbeAtMs } from './firstProbe';
import type { HealthConfig } from './healthConfig';
import {
  checkParams,
  definitionOf,
  definitionProblem,
  healthCheckBodies,
  incidentsQuery,
  MAX_JSON_BODY,
  samplesQuery,
} from './healthInput';
import type {
  HealthCheckChanges,
  HealthStore,
  StoredHealthCheck,
} from './HealthStore';
import { maintenanceRoutes } from './maintenance/maintenanceRoutes';
import type { MaintenanceWindowStore } from './maintenance/MaintenanceWindowStore';
import type { HealthRollupReads } from './rollups/HealthRollupReads';
import { addRollupRoutes } from './rollups/rollupRoutes';
import type { AddressRefusal } from './probe/types';

const BASE = '/entities/:kind/:namespace/:name/health';
const CHECK = `${BASE}/checks/:checkId`;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Changing any of these starts the check's schedule again. */
const SCHEDULE_FIELDS = ['url', 'method', 'intervalMs', 'enabled'] as const;

export interface HealthRoutesOptions {
  authorizer: ProjectAuthorizer;
  audited: Audited;
  store: HealthStore;
  /** The checks' maintenance windows. */
  maintenance: MaintenanceWindowStore;
  /** The checks' hourly rollups. */
  rollups: Pick<HealthRollupReads, 'list'>;
  /** Refuses a URL whose host is an IP literal OpsHub may not probe. */
  policy: { refusalOfUrl(url: string): AddressRefusal };
  config: Pick<HealthConfig, 'minIntervalMs'>;
  /** Told after each change of an entity's checks (announced as a signal). */
  changed(entityRef: string): void;
  now?: () => number;
}

/**
 * An entity's health checks: its state and checks, their samples and
 * incidents, and creating, changing and deleting the checks it declares
 * through the API (those of its `opshub.dev/health-url` annotation are
 * read-only here), and the checks' maintenance windows. Every per-check
 * route is scoped to the route's entity: another entity's check is not
 * found.
 */
export function healthRoutes(deps: HealthRoutesOptions) {
  const { authorizer, audited, store, policy } = deps;
  const now = deps.now ?? Date.now;
  // Built on first use: the route table walk builds routers without config.
  let schemas: ReturnType<typeof healthCheckBodies> | undefined;
  const bodies = () => (schemas ??= healthCheckBodies(deps.config));
  const router = Router();

  async function access(req: Request, permission: OpsHubPermission) {
    const { ref } = entityRefParam(req);
    const credentials = await authorizer.authorize(req, permission, ref);
    return { entityRef: ref, actorRef: actorRefOf(credentials) };
  }

  const checkIdOf = (req: Request) =>
    parseInput(checkParams, req.params, 'check').checkId;

  const notFound = (checkId: string) =>
    new NotFoundError(`No health check ${checkId} here`);

  /** The route's check of the route's entity, or 404. */
  async function checkOf(entityRef: string, checkId: string) {
    const check = await store.getCheck(entityRef, checkId);
    if (!check) throw notFound(checkId);
    return check;
  }

  /** 409 for a check the entity's annotation declares, or a preview's. */
  function assertFromApi(check: StoredHealthCheck) {
    if (check.source === 'annotation') {
      throw new ConflictError(
        `Health check ${check.name} comes from the ${OPSHUB_ANNOTATIONS.healthUrl} annotation: edit the annotation in the entity's catalog-info.yaml`,
      );
    }
    if (check.source === 'preview') {
      throw new ConflictError(
        `Health check ${check.name} follows its preview: it comes and goes with it (opshub.health.previews)`,
      );
    }
  }

  /** 400 naming the rule for an IP-literal host OpsHub may not probe. */
  function assertProbeable(url: string) {
    const refusal = policy.refusalOfUrl(url);
    if (refusal) {
      throw new InputError(`Invalid check: url: ${refusal.rule}`);
    }
  }

  function assertConsistent(
    definition: Parameters<typeof definitionProblem>[0],
  ) {
    const problem = definitionProblem(definition);
    if (problem) throw new InputError(`Invalid check: ${problem}`);
  }

  const { withStanding, entityHealth } = healthReads({
    store,
    maintenance: deps.maintenance,
    now,
  });

  router.get(BASE, async (req, res) => {
    const { entityRef } = await access(req, opshubHealthReadPermission);
    res.json(await entityHealth(entityRef));
  });

  router.post(`${BASE}/checks`, jsonBody(MAX_JSON_BODY), async (req, res) => {
    const { entityRef, actorRef } = await access(
      req,
      opshubHealthManagePermission,
    );
    const definition = definitionOf(
      parseInput(bodies().create, req.body, 'check'),
    );
    assertConsistent(definition);
    assertProbeable(definition.url);
    const created = await audited(
      req,
      {
        entityRef,
        actorRef,
        action: 'health-check-create',
        details: { name: definition.name },
        describe: c => ({ checkId: c.id, name: c.name }),
      },
      async () => {
        const at = now();
        // Due at the latest first-probe time until the id, which places it
        // within the spread, is known: a failed second write leaves the
        // check probed a little late, never not at all.
        const check = await store.createCheck({
          ...definition,
          entityRef,
          source: 'api',
          configError: null,
          nextProbeAtMs: definition.enabled
            ? latestFirstProbeAtMs(definition.intervalMs, at)
            : null,
          createdBy: actorRef,
        });
        if (!definition.enabled) return check;
        const scheduled = await store.updateCheck(entityRef, check.id, {
          nextProbeAtMs: firstProbeAtMs(check.id, definition.intervalMs, at),
        });
        return scheduled ?? check;
      },
    );
    deps.changed(entityRef);
    res.status(201).json(apiCheck(created, undefined, undefined));
  });

  router.patch(CHECK, jsonBody(MAX_JSON_BODY), async (req, res) => {
    const { entityRef, actorRef } = await access(
      req,
      opshubHealthManagePermission,
    );
    const checkId = checkIdOf(req);
    const body = parseInput(bodies().update, req.body, 'check');
    const updated = await audited(
      req,
      {
        entityRef,
        actorRef,
        action: 'health-check-update',
        details: { checkId },
        describe: c => ({ checkId, name: c.name }),
      },
      async () => {
        const current = await checkOf(entityRef, checkId);
        assertFromApi(current);
        const merged = { ...definitionOfStored(current), ...body };
        assertConsistent(merged);
        if (body.url !== undefined) assertProbeable(body.url);
        const changes: HealthCheckChanges = { ...body };
        if (
          SCHEDULE_FIELDS.some(
            f => body[f] !== undefined && body[f] !== current[f],
          )
        ) {
          changes.nextProbeAtMs = merged.enabled
            ? firstProbeAtMs(checkId, merged.intervalMs, now())
            : null;
        }
        const check = await store.updateCheck(entityRef, checkId, changes);
        if (!check) throw notFound(checkId);
        return check;
      },
    );
    deps.changed(entityRef);
    const [shown] = await withStanding([updated]);
    res.json(shown);
  });

  router.delete(CHECK, async (req, res) => {
    const { entityRef, actorRef } = await access(
      req,
      opshubHealthManagePermission,
    );
    const checkId = checkIdOf(req);
    await audited(
      req,
      {
        entityRef,
        actorRef,
        action: 'health-check-delete',
        details: { checkId },
        describe: c => ({ checkId, name: c.name }),
      },
      async () => {
        const current = await checkOf(entityRef, checkId);
        assertFromApi(current);
        if (!(await store.deleteCheck(entityRef, checkId))) {
          throw notFound(checkId);
        }
        return current;
      },
    );
    deps.changed(entityRef);
    res.status(204).end();
  });

  router.get(`${CHECK}/samples`, async (req, res) => {
    const { entityRef } = await access(req, opshubHealthReadPermission);
    const checkId = checkIdOf(req);
    const query = parseInput(samplesQuery, req.query, 'query');
    await checkOf(entityRef, checkId);
    res.json(
      await store.listSamples(checkId, {
        sinceMs: query.since ?? now() - DAY_MS,
        limit: query.limit,
      }),
    );
  });

  router.get(`${CHECK}/incidents`, async (req, res) => {
    const { entityRef } = await access(req, opshubHealthReadPermission);
    const checkId = checkIdOf(req);
    const query = parseInput(incidentsQuery, req.query, 'query');
    await checkOf(entityRef, checkId);
    res.json(await store.listIncidents(checkId, { limit: query.limit }));
  });

  router.use(
    maintenanceRoutes({
      audited,
      windows: deps.maintenance,
      access,
      checkIdOf,
      checkOf,
      notFound,
      changed: deps.changed,
      now,
    }),
  );
  addRollupRoutes(router, {
    access,
    checkIdOf,
    checkOf,
    rollups: deps.rollups,
    now,
  });

  return router;
}
