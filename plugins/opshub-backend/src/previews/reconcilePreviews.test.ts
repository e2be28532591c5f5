import { ConfigReader } from '@backstage/config';
import { startFakeGithub } from '@opshub/plugin-opshub-node/testUtils';
import { mockServices } from '@backstage/backend-test-utils';
import { migrateUp } from '../database/migrations';
import { githubClientsFromConfig } from '../github/githubClients';
import { DatabaseProjectStore } from '../projects/DatabaseProjectStore';
import { DatabaseJobStore } from '../queue/DatabaseJobStore';
import { JobQueue } from '../queue/JobQueue';
import { createTestDatabases } from '../__testUtils__/databases';
import { seedPreview } from '../__testUtils__/previews';
import { DatabasePreviewStore } from './DatabasePreviewStore';
import { reconcilePreviews } from './reconcilePreviews';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const ENTITY = 'component:default/web';

/** A pull request as GitHub's REST API returns it (the fields OpsHub reads). */
const pull = (number: number, state: 'open' | 'closed', merged = false) => ({
  number,
  state,
  merged,
  title: `PR ${number}`,
  updated_at: '2026-11-26T10:00:00Z',
  draft: false,
  user: { login: 'octocat' },
  labels: [],
  head: {
    sha: `${number}`.repeat(40).slice(0, 40),
    ref: `b${number}`,
    repo: { full_name: 'acme/web' },
  },
  base: { ref: 'main', repo: { full_name: 'acme/web' } },
});

describe.each(databases.eachSupportedId())('reconcilePreviews on %s', id => {
  it('queues open PRs without a preview and tears down previews of closed PRs', async () => {
    const knex = await databases.init(id);
    await migrateUp(knex);
    const github = await startFakeGithub();
    github.route('GET /repos/acme/web/pulls', () => ({
      body: [pull(8, 'open'), pull(9, 'open')],
    }));
    github.route('GET /repos/acme/web/pulls/7', () => ({
      body: pull(7, 'closed', true),
    }));
    const jobs = new DatabaseJobStore(knex);
    try {
      const projects = new DatabaseProjectStore(knex);
      await projects.replaceAll([
        {
          entityRef: ENTITY,
          repoSlug: 'acme/web',
          previewProvider: 'mock',
          verifiedBy: 'location',
        },
        {
          entityRef: 'component:default/docs',
          repoSlug: 'acme/docs',
          verifiedBy: 'location',
        },
      ]);
      const previews = new DatabasePreviewStore(knex);
      await seedPreview(knex, {
        entityRef: ENTITY,
        prNumber: 7,
        state: 'ready',
        repository: 'acme/web',
      });
      await seedPreview(knex, {
        entityRef: ENTITY,
        prNumber: 9,
        state: 'building',
        repository: 'acme/web',
      });
      const queue = new JobQueue(jobs, mockServices.logger.mock());
      const deps = {
        knex,
        projects,
        previews,
        queue,
        clientFor: githubClientsFromConfig(
          new ConfigReader({
            integrations: {
              github: [
                {
                  host: 'github.com',
                  apiBaseUrl: github.url,
                  token: 't',
                },
              ],
            },
          }),
        ),
      };

      expect(await reconcilePreviews(deps)).toEqual({ queued: 1, tornDown: 1 });
      const queued = async () =>
        (await knex('jobs').orderBy('id')).map(row => ({
          type: row.type,
          key: row.key,
          pr: JSON.parse(row.payload).pullRequest.number,
          merged: JSON.parse(row.payload).pullRequest.merged,
        }));
      expect(await queued()).toEqual([
        {
          type: 'create-preview',
          key: `preview:${ENTITY}#8`,
          pr: 8,
          merged: false,
        },
        {
          type: 'teardown-preview',
          key: `preview:${ENTITY}#7`,
          pr: 7,
          merged: true,
        },
      ]);
      // Only the entity with a provider was asked about.
      expect(github.requests.map(r => r.path)).toEqual([
        '/repos/acme/web/pulls',
        '/repos/acme/web/pulls/7',
      ]);

      // Again before the jobs ran: they coalesce, nothing is queued twice.
      await reconcilePreviews(deps);
      expect(await queued()).toHaveLength(2);

      // Open PRs whose previews are down: one a user destroyed and one
      // whose TTL expired stay down; one torn down by a close that the
      // reopen webhook never followed comes back.
      await knex('jobs').delete();
      github.route('GET /repos/acme/web/pulls', () => ({
        body: [10, 11, 12].map(n => pull(n, 'open')),
      }));
      for (const [prNumber, state, reason] of [
        [10, 'destroyed', 'destroyed'],
        [11, 'expired', 'expired'],
        [12, 'destroyed', 'pr-closed'],
      ] as const) {
        const previewId = await seedPreview(knex, {
          entityRef: ENTITY,
          prNumber,
          state,
          repository: 'acme/web',
        });
        await knex('previews')
          .where({ id: previewId })
          .update({ teardown_reason: reason });
      }
      await knex('previews').whereIn('pr_number', [7, 9]).delete();
      expect(await reconcilePreviews(deps)).toEqual({ queued: 1, tornDown: 0 });
      expect(await queued()).toEqual([
        {
          type: 'create-preview',
          key: `preview:${ENTITY}#12`,
          pr: 12,
          merged: false,
        },
      ]);
    } finally {
      await jobs.close();
      await github.close();
    }
  });

  it('skips projects whose repository binding is not verified', async () => {
    const knex = await databases.init(id);
    await migrateUp(knex);
    const github = await startFakeGithub();
    github.route('GET /repos/:owner/:repo/pulls', () => ({
      body: [pull(8, 'open')],
    }));
    const jobs = new DatabaseJobStore(knex);
    try {
      const projects = new DatabaseProjectStore(knex);
      await projects.replaceAll([
        // Its catalog location is another repository's: not proof.
        {
          entityRef: 'component:default/claims-web',
          repoSlug: 'acme/web',
          previewProvider: 'mock',
          location:
            'url:https://github.com/evil/tools/blob/main/catalog-info.yaml',
        },
        // Only a file location: not proof either.
        {
          entityRef: 'component:default/claims-docs',
          repoSlug: 'acme/docs',
          previewProvider: 'mock',
          location: 'file:/srv/catalog/catalog-info.yaml',
        },
        // Verified: reconciled.
        {
          entityRef: ENTITY,
          repoSlug: 'acme/api',
          previewProvider: 'mock',
          verifiedBy: 'config',
        },
      ]);
      const deps = {
        knex,
        projects,
        previews: new DatabasePreviewStore(knex),
        queue: new JobQueue(jobs, mockServices.logger.mock()),
        clientFor: githubClientsFromConfig(
          new ConfigReader({
            integrations: {
              github: [
                { host: 'github.com', apiBaseUrl: github.url, token: 't' },
              ],
            },
          }),
        ),
      };

      expect(await reconcilePreviews(deps)).toEqual({ queued: 1, tornDown: 0 });
      expect(github.requests.map(r => r.path)).toEqual([
        '/repos/acme/api/pulls',
      ]);
      expect((await knex('jobs')).map(row => row.key)).toEqual([
        `preview:${ENTITY}#8`,
      ]);

      // With verification off a sole claim counts: the two are reconciled.
      github.requests.splice(0);
      await reconcilePreviews({
        ...deps,
        projects: new DatabaseProjectStore(knex, {
          requireVerifiedBinding: false,
        }),
      });
      expect(github.requests.map(r => r.path).sort()).toEqual([
        '/repos/acme/api/pulls',
        '/repos/acme/docs/pulls',
        '/repos/acme/web/pulls',
      ]);
    } finally {
      await jobs.close();
      await github.close();
    }
  });
});
