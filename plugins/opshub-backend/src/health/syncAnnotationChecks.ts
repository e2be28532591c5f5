import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { type Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  OPSHUB_ANNOTATIONS,
  parseOpsHubAnnotations,
} from '@opshub/plugin-opshub-common';
import { firstProbeAtMs, latestFirstProbeAtMs } from './firstProbe';
import { CHECK_DEFAULTS } from './healthConfig';
import type {
  HealthCheckDefinition,
  HealthStore,
  StoredHealthCheck,
} from './HealthStore';
import type { AddressRefusal } from './probe/types';

/** The name of the check an entity's annotation declares. */
export const ANNOTATION_CHECK_NAME = 'health-url';
/** Who `createdBy` says made an annotation check. */
export const ANNOTATION_CHECK_CREATOR = `annotation:${OPSHUB_ANNOTATIONS.healthUrl}`;
const MAX_URL_LENGTH = 2048;
const PAGE_SIZE = 500;

/** What one entity's annotation asks for. */
interface AnnotationCheck {
  url: string;
  /** Why the URL cannot be probed; null when it can. */
  configError: string | null;
}

export interface AnnotationSyncResult {
  created: number;
  updated: number;
  deleted: number;
}

/**
 * Makes the annotation checks match the catalog: one check named
 * `health-url` with the default settings for each entity with an
 * `opshub.dev/health-url` annotation, its URL kept equal to the
 * annotation's, deleted with the annotation (or the entity). A URL that is
 * malformed or that the network policy refuses keeps the check, unprobed,
 * with the reason as its `configError`, which the entity page shows; fixing
 * the annotation clears it. Reads the catalog with the plugin's own service
 * credentials, so it sees every entity whatever the users may read.
 */
export async function syncAnnotationChecks(deps: {
  catalog: CatalogService;
  auth: AuthService;
  store: HealthStore;
  policy: { refusalOfUrl(url: string): AddressRefusal };
  logger: LoggerService;
  /** Told for each entity whose checks changed (announced as a signal). */
  changed?(entityRef: string): void;
  now?: () => number;
}): Promise<AnnotationSyncResult> {
  const { store, logger } = deps;
  const now = deps.now ?? Date.now;
  const wanted = await readAnnotationChecks(deps);
  const existing = new Map(
    (await store.listAnnotationChecks()).map(c => [c.entityRef, c]),
  );
  const result: AnnotationSyncResult = { created: 0, updated: 0, deleted: 0 };
  const changed = (entityRef: string) => deps.changed?.(entityRef);

  for (const [entityRef, check] of existing) {
    if (wanted.has(entityRef)) continue;
    if (await store.deleteCheck(entityRef, check.id)) {
      result.deleted++;
      changed(entityRef);
    }
  }

  for (const [entityRef, want] of wanted) {
    const current = existing.get(entityRef);
    if (current) {
      if (await update(entityRef, current, want)) {
        result.updated++;
        changed(entityRef);
      }
    } else if (await create(entityRef, want)) {
      result.created++;
      changed(entityRef);
    }
  }

  const misconfigured = [...wanted.values()].filter(w => w.configError).length;
  logger.info(
    `Health annotation sync: ${wanted.size} ${OPSHUB_ANNOTATIONS.healthUrl} annotations (${result.created} created, ${result.updated} updated, ${result.deleted} deleted, ${misconfigured} with a configuration error)`,
  );
  return result;

  /** Creates the entity's check; false when an API check holds its name. */
  async function create(
    entityRef: string,
    want: AnnotationCheck,
  ): Promise<boolean> {
    const definition: HealthCheckDefinition = {
      ...CHECK_DEFAULTS,
      name: ANNOTATION_CHECK_NAME,
      url: want.url,
      bodyContains: null,
      jsonPath: null,
      degradedLatencyMs: null,
      enabled: true,
      headers: {},
      certExpiryDays: null,
    };
    const at = now();
    const probeable = want.configError === null;
    let created: StoredHealthCheck;
    try {
      created = await store.createCheck({
        ...definition,
        entityRef,
        source: 'annotation',
        configError: want.configError,
        // The latest first-probe time until the id places it (see routes).
        nextProbeAtMs: probeable
          ? latestFirstProbeAtMs(definition.intervalMs, at)
          : null,
        createdBy: ANNOTATION_CHECK_CREATOR,
      });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      logger.warn(
        `${entityRef} has a health check named ${ANNOTATION_CHECK_NAME} made through the API: its ${OPSHUB_ANNOTATIONS.healthUrl} annotation is not applied until that check is renamed or deleted`,
      );
      return false;
    }
    if (probeable) {
      await store.updateCheck(entityRef, created.id, {
        nextProbeAtMs: firstProbeAtMs(created.id, definition.intervalMs, at),
      });
    }
    return true;
  }

  /** Applies a changed URL or configuration error; false when none. */
  async function update(
    entityRef: string,
    current: StoredHealthCheck,
    want: AnnotationCheck,
  ): Promise<boolean> {
    if (current.url === want.url && current.configError === want.configError) {
      return false;
    }
    const updated = await store.updateCheck(entityRef, current.id, {
      url: want.url,
      configError: want.configError,
      nextProbeAtMs:
        want.configError === null && current.enabled
          ? firstProbeAtMs(current.id, current.intervalMs, now())
          : null,
    });
    return updated !== undefined;
  }
}

/** Every annotated entity's wish, by entity ref (lower case, as OpsHub keys projects). */
async function readAnnotationChecks(deps: {
  catalog: CatalogService;
  auth: AuthService;
  policy: { refusalOfUrl(url: string): AddressRefusal };
}): Promise<Map<string, AnnotationCheck>> {
  const wanted = new Map<string, AnnotationCheck>();
  const pages = deps.catalog.streamEntities(
    {
      filter: {
        [`metadata.annotations.${OPSHUB_ANNOTATIONS.healthUrl}`]:
          CATALOG_FILTER_EXISTS,
      },
      fields: [
        'kind',
        'metadata.namespace',
        'metadata.name',
        'metadata.annotations',
      ],
      pageSize: PAGE_SIZE,
    },
    { credentials: await deps.auth.getOwnServiceCredentials() },
  );
  for await (const page of pages) {
    for (const entity of page) {
      const check = annotationCheckOf(entity, deps.policy);
      if (check) {
        wanted.set(
          stringifyEntityRef(entity).toLocaleLowerCase('en-US'),
          check,
        );
      }
    }
  }
  return wanted;
}

/** The check an entity's annotation asks for; undefined without one. */
export function annotationCheckOf(
  entity: Entity,
  policy: { refusalOfUrl(url: string): AddressRefusal },
): AnnotationCheck | undefined {
  const annotation = OPSHUB_ANNOTATIONS.healthUrl;
  const raw = entity.metadata.annotations?.[annotation];
  if (typeof raw !== 'string') return undefined;
  const url = raw.trim();
  const invalid = (reason: string): AnnotationCheck => ({
    url: url.slice(0, MAX_URL_LENGTH),
    configError: `${annotation} ${reason}`,
  });
  const problem = parseOpsHubAnnotations(entity).problems.find(
    p => p.annotation === annotation,
  );
  if (problem) return invalid(problem.message);
  if (url.length > MAX_URL_LENGTH) {
    return invalid(`is longer than ${MAX_URL_LENGTH} characters`);
  }
  const parsed = new URL(url);
  if (parsed.username !== '' || parsed.password !== '') {
    // Shown to every reader of the entity's health: without them.
    parsed.username = '';
    parsed.password = '';
    return {
      url: parsed.toString(),
      configError: `${annotation} must not contain a user name or password`,
    };
  }
  const refusal = policy.refusalOfUrl(url);
  if (refusal) return invalid(`is refused: ${refusal.rule}`);
  return { url, configError: null };
}
