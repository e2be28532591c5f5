import { startTestBackend } from '@backstage/backend-test-utils';
import { actionsBackendFeatures } from '@opshub/plugin-opshub-backend/src/__testUtils__/actionsBackend';
import { seedPreview } from '@opshub/plugin-opshub-backend/src/__testUtils__/previews';
import { STOREFRONT } from '@opshub/plugin-opshub-backend/src/__testUtils__/rbacBackend';
import { migrateUp } from '@opshub/plugin-opshub-backend/src/database/migrations';
import knexFactory, { type Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import { freshDatabase, PG_URL } from '../../lib/postgres';

/** The caller of every case: owner of the installation, so only input is refused. */
export const ROOT = 'user:default/root';
/** The webhook secret the backend verifies signatures with. */
export const WEBHOOK_SECRET = 'r1-hostile-input-webhook-secret';
const DATABASE = 'opshub_bench_r1';

export interface HostileInputBackend {
  /** `http://127.0.0.1:<port>`. */
  baseUrl: string;
  /** OpsHub's database, for fingerprints. */
  knex: Knex;
  /** The seeded preview's id (a valid `:previewId`). */
  previewId: string;
  stop(): Promise<void>;
}

/**
 * OpsHub in-process on a PostgreSQL database of its own (as in production:
 * PostgreSQL refuses what SQLite stores, e.g. NUL characters or integers out
 * of range), with the real permission backend, OpsHub's policy and the
 * actions registry. Nothing runs in the background that would write to the
 * database: no job worker, no preview health checks, scheduled tasks only
 * once at startup.
 */
export async function startHostileInputBackend(): Promise<HostileInputBackend> {
  await freshDatabase(DATABASE);
  const knex = knexFactory({
    client: 'pg',
    connection: `${PG_URL}/${DATABASE}`,
    pool: { min: 1, max: 5 },
  });
  await migrateUp(knex);
  const previewId = await seedPreview(knex, {
    entityRef: STOREFRONT,
    prNumber: 1,
    state: 'ready',
  });
  const backend = await startTestBackend({
    features: actionsBackendFeatures({
      knex,
      opshub: {
        github: { webhookSecret: WEBHOOK_SECRET },
        // Every case may mutate: the per-caller budget never answers first.
        // An owner by config, which no case can delete (an assignment
        // could be, by DELETE /org/assignments/:id).
        rbac: { orgOwners: [ROOT], mutationsPerMinute: 1_000_000 },
        encryption: {
          keys: [{ id: 'r1', secret: randomBytes(32).toString('base64') }],
        },
        queue: { concurrency: 0 },
        health: { previews: { enabled: false } },
      },
    }),
  });
  return {
    baseUrl: `http://127.0.0.1:${backend.server.port()}`,
    knex,
    previewId,
    async stop() {
      await backend.stop();
      await knex.destroy();
      const admin = knexFactory({
        client: 'pg',
        connection: `${PG_URL}/postgres`,
      });
      try {
        await admin.raw(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
      } finally {
        await admin.destroy();
      }
    },
  };
}
