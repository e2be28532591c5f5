import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const path = req.url!.split('?')[0];
      const answers: Record<string, unknown> = {
        '/repos/acme/web/pulls': [pull(8, 'open'), pull(9, 'open')],
        '/repos/acme/web/pulls/7': pull(7, 'closed', true),
      };
      const body = answers[path];
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body ?? { message: 'Not Found' }));
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const jobs = new DatabaseJobStore(knex);
    try {
      const projects = new DatabaseProjectStore(knex);
      await projects.replaceAll([
        { entityRef: ENTITY, repoSlug: 'acme/web', previewProvider: 'mock' },
        { entityRef: 'component:default/docs', repoSlug: 'acme/docs' },
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
      const { port } = server.address() as AddressInfo;
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
                  apiBaseUrl: `http://127.0.0.1:${port}`,
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
      expect(seen.every(line => line.includes('/repos/acme/web/'))).toBe(true);

      // Again before the jobs ran: they coalesce, nothing is queued twice.
      await reconcilePreviews(deps);
      expect(await queued()).toHaveLength(2);
    } finally {
      await jobs.close();
      await new Promise(resolve => server.close(resolve));
    }
  });
});
