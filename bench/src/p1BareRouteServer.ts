/*
 * P1's middle point: OpsHub's real webhook route and intake (the same
 * classes the plugin wires) on a bare express app, without the rest of the
 * Backstage backend, so one run shows how much of the gap to the floor is
 * OpsHub's own path and how much the backend around it. Started by
 * p1WebhookAccept.ts on a loopback port.
 */
import { migrateUp } from '@opshub/plugin-opshub-backend/src/database/migrations';
import { DatabaseProjectStore } from '@opshub/plugin-opshub-backend/src/projects/DatabaseProjectStore';
import { RepositoryLookup } from '@opshub/plugin-opshub-backend/src/projects/RepositoryLookup';
import { DatabaseJobStore } from '@opshub/plugin-opshub-backend/src/queue/DatabaseJobStore';
import { JobQueue } from '@opshub/plugin-opshub-backend/src/queue/JobQueue';
import { PgListenWakeups } from '@opshub/plugin-opshub-backend/src/queue/PgListenWakeups';
import { DatabaseDeliveryStore } from '@opshub/plugin-opshub-backend/src/webhooks/DatabaseDeliveryStore';
import { githubWebhookRoute } from '@opshub/plugin-opshub-backend/src/webhooks/githubWebhookRoute';
import { createGithubSignatureVerifier } from '@opshub/plugin-opshub-backend/src/webhooks/verifyGithubSignature';
import { WebhookIntake } from '@opshub/plugin-opshub-backend/src/webhooks/WebhookIntake';
import express from 'express';
import { quietLogger } from './lib/logger';
import { connect } from './lib/postgres';

async function main() {
  const knex = connect(process.env.OPSHUB_BENCH_DB!);
  await migrateUp(knex);
  const projects = new DatabaseProjectStore(knex);
  await projects.replaceAll([
    // Verified, as the backend's config approves it: the route is measured
    // on the path that records jobs, not the cheaper unverified one.
    {
      entityRef: 'component:default/storefront',
      repoSlug: 'acme/storefront',
      verifiedBy: 'config',
    },
  ]);
  const queue = new JobQueue(
    new DatabaseJobStore(knex),
    quietLogger,
    {},
    PgListenWakeups.fromKnex(knex, quietLogger),
  );
  queue.start();
  const deliveries = new DatabaseDeliveryStore(knex);
  const app = express();
  app.post(
    '/api/opshub/webhooks/github',
    githubWebhookRoute({
      intake: new WebhookIntake({
        knex,
        deliveries,
        repositories: new RepositoryLookup(projects),
        queue,
        projects,
        // The one project is in the table; no catalog to ask about others.
        findInCatalog: async () => [],
        logger: quietLogger,
      }),
      verify: createGithubSignatureVerifier(process.env.OPSHUB_BENCH_SECRET!),
      maxPayloadBytes: 25 * 1024 * 1024,
      maxConcurrentDeliveries: 32,
      logger: quietLogger,
    }),
  );
  const server = app.listen(
    Number(process.env.OPSHUB_BENCH_PORT),
    '127.0.0.1',
    () => process.stdout.write('listening\n'),
  );
  process.on('SIGTERM', () => {
    server.close();
    Promise.all([queue.stop(), knex.destroy()]).then(() => process.exit(0));
  });
}

main().catch(error => {
  process.stderr.write(`${error}\n`);
  process.exit(1);
});
