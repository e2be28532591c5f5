import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  opshubEnvVarReadPermission,
  opshubEnvVarRevealPermission,
  opshubEnvVarWritePermission,
  opshubEnvVarWriteProductionPermission,
  type OpsHubEnvVar,
  type OpsHubEnvVarImportResult,
  type OpsHubEnvVarVersion,
} from '@opshub/plugin-opshub-common';
import type { Request, Response } from 'express';
import Router from 'express-promise-router';
import type { Audited } from '../activity/audited';
import { jsonBody, textBody } from '../http/bodyParsers';
import { entityRefParam } from '../http/entityRef';
import { parseInput } from '../http/validation';
import {
  actorRefOf,
  type OpsHubPermission,
  type ProjectAuthorizer,
} from '../rbac/ProjectAuthorizer';
import { formatDotenv, parseDotenv } from './dotenv';
import type { EnvVarBinding, EnvVarCipher } from './EnvVarCipher';
import {
  BRANCH_ENVIRONMENT,
  branchQuery,
  environmentParams,
  importQuery,
  listQuery,
  MAX_IMPORT_BODY,
  MAX_JSON_BODY,
  putBody,
  variableParams,
  versionParams,
} from './envVarInput';
import type { EnvVarKey, EnvVarStore, StoredEnvVar } from './EnvVarStore';
import { maskValue } from './mask';

/** The 503 of every env-var route while no key is configured. */
export const ENVVARS_NOT_CONFIGURED =
  'Environment variables need an encryption key: set opshub.encryption.keys ' +
  '([{ id, secret }], secret = base64 of 32 random bytes, e.g. from ' +
  '`openssl rand -base64 32`); app-config.production.yaml reads ' +
  'OPSHUB_ENCRYPTION_KEY_ID and OPSHUB_ENCRYPTION_KEY';

const BASE = '/entities/:kind/:namespace/:name/envvars';
const EXPORT_PATH =
  /^\/entities\/[^/]+\/[^/]+\/[^/]+\/envvars\/[^/]+\/export\/?$/;

/**
 * An export: a read that hands out plaintext, so the mutation rate limit
 * counts it like a change (reveal is a POST and counted anyway).
 */
export function isEnvVarExport(req: Request): boolean {
  return req.method === 'GET' && EXPORT_PATH.test(req.path);
}
/** How often a write whose version was taken meanwhile is tried again. */
const WRITE_ATTEMPTS = 3;

export interface EnvVarRoutesOptions {
  authorizer: ProjectAuthorizer;
  audited: Audited;
  store: EnvVarStore;
  cipher: EnvVarCipher;
  /** Environments whose writes need `opshub.envvar.write.production`. */
  protectedEnvironments: string[];
}

const binding = (key: EnvVarKey, version: number): EnvVarBinding => ({
  entityRef: key.entityRef,
  environment: key.environment,
  branch: key.branch,
  name: key.name,
  version,
});

/**
 * The env-var API of a project: list (masked), write, delete, reveal,
 * versions and restore, `.env` import and export. Values are sealed for
 * the version they are written as; plaintext leaves only through reveal
 * and export, which are audited and never cached.
 */
export function envVarRoutes(deps: EnvVarRoutesOptions) {
  const { authorizer, audited, store, cipher } = deps;
  const protectedEnvironments = new Set(deps.protectedEnvironments);
  const router = Router();

  /** The caller, allowed `permission` on the route's project; then 503 without a key. */
  async function access(req: Request, permission: OpsHubPermission) {
    const { ref } = entityRefParam(req);
    const credentials = await authorizer.authorize(req, permission, ref);
    if (!(await cipher.configured())) {
      throw new ServiceUnavailableError(ENVVARS_NOT_CONFIGURED);
    }
    return { entityRef: ref, actorRef: actorRefOf(credentials) };
  }

  const writePermission = (environment: string) =>
    protectedEnvironments.has(environment)
      ? opshubEnvVarWriteProductionPermission
      : opshubEnvVarWritePermission;

  /** `?branch=`: only preview variables have branch overrides. */
  function branchOf(req: Request, environment: string): string | null {
    const { branch } = parseInput(branchQuery, req.query, 'query');
    if (branch === undefined) return null;
    if (environment !== BRANCH_ENVIRONMENT) {
      throw new InputError(
        `Only the ${BRANCH_ENVIRONMENT} environment has branch overrides`,
      );
    }
    return branch;
  }

  /** The variable a per-variable route names. */
  const notFound = (key: EnvVarKey) =>
    new NotFoundError(`No variable ${key.name} here`);

  /** The variable's current value, or 404. */
  async function currentOf(key: EnvVarKey): Promise<StoredEnvVar> {
    const current = await store.get(key);
    if (!current) throw notFound(key);
    return current;
  }

  function variable(req: Request, entityRef: string): EnvVarKey {
    const { environment, varName } = parseInput(
      variableParams,
      req.params,
      'variable',
    );
    return {
      entityRef,
      environment,
      branch: branchOf(req, environment),
      name: varName,
    };
  }

  const open = (v: StoredEnvVar) =>
    cipher.open(v.sealed, binding(v, v.version));

  async function masked(v: StoredEnvVar, plaintext?: string) {
    const value = v.sensitive
      ? maskValue('', true)
      : maskValue(plaintext ?? (await open(v)), false);
    return {
      environment: v.environment,
      name: v.name,
      branch: v.branch,
      sensitive: v.sensitive,
      value,
      version: v.version,
      updatedBy: v.updatedBy,
      updatedAt: v.updatedAt.toISOString(),
    } satisfies OpsHubEnvVar;
  }

  const auditDetails = (key: EnvVarKey) => ({
    environment: key.environment,
    name: key.name,
    ...(key.branch !== null && { branch: key.branch }),
  });

  /**
   * Writes `value` as the variable's next version, sealed for it; a version
   * taken meanwhile is retried. `force` writes even an unchanged value (a
   * restore). Sensitive can be set, never cleared.
   */
  async function writeValue(
    key: EnvVarKey,
    input: {
      value: string;
      sensitive?: boolean;
      comment?: string;
      actor: string;
      force?: boolean;
    },
  ): Promise<{
    item: OpsHubEnvVar;
    outcome: 'created' | 'updated' | 'unchanged';
  }> {
    for (let attempt = 1; ; attempt++) {
      const current = await store.get(key);
      if (current?.sensitive && input.sensitive === false) {
        throw new ConflictError(
          `${key.name} is sensitive: that cannot be cleared`,
        );
      }
      const sensitive = input.sensitive ?? current?.sensitive ?? false;
      if (
        current &&
        !input.force &&
        sensitive === current.sensitive &&
        (await open(current)) === input.value
      ) {
        return {
          item: await masked(current, input.value),
          outcome: 'unchanged',
        };
      }
      const version = await store.nextVersion(key);
      try {
        const written = await store.write({
          ...key,
          version,
          sensitive,
          sealed: await cipher.seal(input.value, binding(key, version)),
          actor: input.actor,
          comment: input.comment ?? null,
        });
        return {
          item: await masked(written, input.value),
          outcome: current ? 'updated' : 'created',
        };
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= WRITE_ATTEMPTS) {
          throw error;
        }
      }
    }
  }

  router.get(BASE, async (req, res) => {
    const { entityRef } = await access(req, opshubEnvVarReadPermission);
    const { environment } = parseInput(listQuery, req.query, 'query');
    const items = await store.list(entityRef, environment);
    res.json({ items: await Promise.all(items.map(v => masked(v))) });
  });

  router.put(
    `${BASE}/:environment/:varName`,
    jsonBody(MAX_JSON_BODY),
    async (req, res) => {
      const { environment } = parseInput(
        environmentParams.passthrough(),
        req.params,
        'variable',
      );
      const { entityRef, actorRef } = await access(
        req,
        writePermission(environment),
      );
      const key = variable(req, entityRef);
      const body = parseInput(putBody, req.body, 'variable');
      const { item, outcome } = await audited(
        req,
        {
          entityRef,
          actorRef,
          action: 'envvar-write',
          details: {
            ...auditDetails(key),
            ...(body.sensitive !== undefined && { sensitive: body.sensitive }),
          },
          describe: r => ({ version: r.item.version, outcome: r.outcome }),
        },
        () => writeValue(key, { ...body, actor: actorRef }),
      );
      res.status(outcome === 'created' ? 201 : 200).json(item);
    },
  );

  router.delete(`${BASE}/:environment/:varName`, async (req, res) => {
    const { environment } = parseInput(
      environmentParams.passthrough(),
      req.params,
      'variable',
    );
    const { entityRef, actorRef } = await access(
      req,
      writePermission(environment),
    );
    const key = variable(req, entityRef);
    const removed = await audited(
      req,
      {
        entityRef,
        actorRef,
        action: 'envvar-delete',
        details: auditDetails(key),
        describe: r => ({ version: r.version }),
      },
      async () => {
        const current = await currentOf(key);
        const item = await masked(current);
        const gone = await store.delete({
          ...key,
          version: await store.nextVersion(key),
          actor: actorRef,
        });
        if (!gone) throw notFound(key);
        return { ...item, version: gone.version };
      },
    );
    res.json(removed);
  });

  const noStore = (res: Response) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
  };

  router.post(`${BASE}/:environment/:varName/reveal`, async (req, res) => {
    noStore(res);
    const { entityRef, actorRef } = await access(
      req,
      opshubEnvVarRevealPermission,
    );
    const key = variable(req, entityRef);
    const value = await audited(
      req,
      {
        entityRef,
        actorRef,
        action: 'envvar-reveal',
        details: auditDetails(key),
        describe: r => ({ version: r.version }),
      },
      async () => {
        const current = await currentOf(key);
        if (current.sensitive) {
          throw new NotAllowedError(
            `${key.name} is sensitive: it is never revealed`,
          );
        }
        return { value: await open(current), version: current.version };
      },
    );
    res.json({ value: value.value });
  });

  router.get(`${BASE}/:environment/:varName/versions`, async (req, res) => {
    const { entityRef } = await access(req, opshubEnvVarReadPermission);
    const key = variable(req, entityRef);
    const versions = await store.versions(key);
    if (versions.length === 0) throw notFound(key);
    res.json({
      items: versions.map(
        (v): OpsHubEnvVarVersion => ({
          version: v.version,
          actor: v.actor,
          createdAt: v.createdAt.toISOString(),
          comment: v.comment,
          deleted: v.deleted,
        }),
      ),
    });
  });

  router.post(
    `${BASE}/:environment/:varName/versions/:version/restore`,
    async (req, res) => {
      const { environment, version } = parseInput(
        versionParams,
        req.params,
        'version',
      );
      const { entityRef, actorRef } = await access(
        req,
        writePermission(environment),
      );
      const key = variable(req, entityRef);
      const { item } = await audited(
        req,
        {
          entityRef,
          actorRef,
          action: 'envvar-restore',
          details: { ...auditDetails(key), restoredVersion: version },
          describe: r => ({ version: r.item.version }),
        },
        async () => {
          const old = await store.version(key, version);
          if (!old) {
            throw new NotFoundError(`${key.name} has no version ${version}`);
          }
          if (old.deleted || !old.sealed) {
            throw new ConflictError(
              `Version ${version} of ${key.name} is a delete: nothing to restore`,
            );
          }
          const value = await cipher.open(old.sealed, binding(key, version));
          const current = await store.get(key);
          return writeValue(key, {
            value,
            // A sensitive value stays sensitive; restoring one makes it so.
            sensitive: old.sensitive || current?.sensitive || false,
            comment: `Restored version ${version}`,
            actor: actorRef,
            force: true,
          });
        },
      );
      res.json(item);
    },
  );

  router.post(
    `${BASE}/:environment/import`,
    textBody(MAX_IMPORT_BODY),
    async (req, res) => {
      const { environment } = parseInput(
        environmentParams,
        req.params,
        'environment',
      );
      const { entityRef, actorRef } = await access(
        req,
        writePermission(environment),
      );
      const { dryRun } = parseInput(importQuery, req.query, 'query');
      const branch = branchOf(req, environment);
      if (typeof req.body !== 'string') {
        throw new InputError('Send the .env file as text/plain');
      }
      const { entries, errors } = parseDotenv(req.body);
      if (dryRun === 'true') {
        const plan = await planImport(entries);
        res.json({ ...plan.counts, errors } satisfies OpsHubEnvVarImportResult);
        return;
      }
      const result = await audited(
        req,
        {
          entityRef,
          actorRef,
          action: 'envvar-import',
          details: {
            environment,
            ...(branch !== null && { branch }),
            lines: entries.length + errors.length,
          },
          describe: r => ({
            created: r.created,
            updated: r.updated,
            unchanged: r.unchanged,
          }),
        },
        async () => {
          if (errors.length > 0) {
            throw new InputError(
              `The .env file was not imported: ${errors
                .map(e => `line ${e.line}: ${e.reason}`)
                .join('; ')}`,
            );
          }
          for (let attempt = 1; ; attempt++) {
            const plan = await planImport(entries);
            try {
              await store.writeAll(
                await Promise.all(
                  plan.writes.map(async w => ({
                    ...w.key,
                    version: w.version,
                    sensitive: w.sensitive,
                    sealed: await cipher.seal(
                      w.value,
                      binding(w.key, w.version),
                    ),
                    actor: actorRef,
                    comment: 'Imported from .env',
                  })),
                ),
              );
              return plan.counts;
            } catch (error) {
              if (!(error instanceof ConflictError) || attempt >= 3) {
                throw error;
              }
            }
          }
        },
      );
      res.json({ ...result, errors: [] } satisfies OpsHubEnvVarImportResult);

      /** What importing `entries` would write now. */
      async function planImport(list: typeof entries) {
        const counts = { created: 0, updated: 0, unchanged: 0 };
        const writes = [];
        for (const entry of list) {
          const key = { entityRef, environment, branch, name: entry.name };
          const current = await store.get(key);
          if (current && (await open(current)) === entry.value) {
            counts.unchanged++;
            continue;
          }
          counts[current ? 'updated' : 'created']++;
          writes.push({
            key,
            value: entry.value,
            sensitive: current?.sensitive ?? false,
            version: await store.nextVersion(key),
          });
        }
        return { counts, writes };
      }
    },
  );

  router.get(`${BASE}/:environment/export`, async (req, res) => {
    noStore(res);
    const { environment } = parseInput(
      environmentParams,
      req.params,
      'environment',
    );
    const { entityRef, actorRef } = await access(
      req,
      opshubEnvVarRevealPermission,
    );
    const branch = branchOf(req, environment);
    const text = await audited(
      req,
      {
        entityRef,
        actorRef,
        action: 'envvar-export',
        details: { environment, ...(branch !== null && { branch }) },
        describe: r => ({ exported: r.exported, withheld: r.withheld }),
      },
      async () => {
        const vars = (await store.list(entityRef, environment)).filter(
          v => v.branch === branch,
        );
        const items = await Promise.all(
          vars.map(async v => ({
            name: v.name,
            sensitive: v.sensitive,
            value: v.sensitive ? undefined : await open(v),
          })),
        );
        return {
          text: formatDotenv(items, [
            `${entityRef} ${environment}${branch ? ` (branch ${branch})` : ''}`,
          ]),
          exported: items.filter(i => !i.sensitive).length,
          withheld: items.filter(i => i.sensitive).length,
        };
      },
    );
    res
      .status(200)
      .type('text/plain; charset=utf-8')
      .setHeader(
        'Content-Disposition',
        `attachment; filename="${environment}${branch ? '.branch' : ''}.env"`,
      );
    res.send(text.text);
  });

  return router;
}
