import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  type FakeApiAnswer,
  startFakeGithub,
} from '@opshub/plugin-opshub-node/testUtils';
import { readOpsHubConfig } from '../config';
import { migrateUp } from '../database/migrations';
import { DatabasePreviewStore } from '../previews/DatabasePreviewStore';
import { DatabaseProjectStore } from '../projects/DatabaseProjectStore';
import { DatabaseJobStore } from '../queue/DatabaseJobStore';
import { JobQueue } from '../queue/JobQueue';
import { createTestDatabases } from '../__testUtils__/databases';
import { seedPreview } from '../__testUtils__/previews';
import { waitFor } from '../__testUtils__/waitFor';
import { githubWriteBack } from './githubWriteBack';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const ENTITY = 'component:default/web';
const SHA = 'a'.repeat(40);
const STATUSES = 'POST /repos/:owner/:repo/statuses/:sha';

describe.each(databases.eachSupportedId())(
  'GitHub calls of jobs, bounded by opshub.queue on %s',
  id => {
    const cleanups: Array<() => Promise<unknown>> = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    /**
     * One github-preview-sync job of a verified preview through the queue
     * the plugin builds from `opshub.queue` (call timeout 300 ms, 3
     * attempts, backoff up to 10 ms), against a
     * fake GitHub whose commit status call answers `answer`.
     */
    async function runSync(
      answer: () => FakeApiAnswer | Promise<FakeApiAnswer>,
    ) {
      const knex = await databases.init(id);
      await migrateUp(knex);
      const github = await startFakeGithub();
      cleanups.push(() => github.close());
      const callTimes: number[] = [];
      github.route(STATUSES, () => {
        callTimes.push(Date.now());
        return answer();
      });
      await new DatabaseProjectStore(knex).replaceAll([
        {
          entityRef: ENTITY,
          repoSlug: 'acme/web',
          location:
            'url:https://github.com/acme/web/blob/main/catalog-info.yaml',
          verifiedBy: 'location',
        },
      ]);
      const previewId = await seedPreview(knex, {
        entityRef: ENTITY,
        prNumber: 7,
        state: 'building',
        repository: 'acme/web',
        headSha: SHA,
      });
      const rootConfig = new ConfigReader({
        integrations: {
          github: [
            { host: 'github.com', apiBaseUrl: github.url, token: 'ghp_test' },
          ],
        },
        opshub: {
          queue: {
            callTimeout: { milliseconds: 300 },
            maxAttempts: 3,
            pollInterval: { milliseconds: 50 },
            retryBackoff: {
              base: { milliseconds: 10 },
              cap: { milliseconds: 10 },
            },
          },
        },
      });
      const config = readOpsHubConfig(rootConfig);
      const writeBack = githubWriteBack(rootConfig, {
        previews: new DatabasePreviewStore(knex),
        knex,
        writesPerMinute: 60_000,
      })!;
      const store = new DatabaseJobStore(knex, {
        maxAttempts: config.queue.maxAttempts,
      });
      const queue = new JobQueue(
        store,
        mockServices.logger.mock(),
        config.queue,
      );
      queue.register(writeBack.type, writeBack.handler);
      cleanups.push(() => store.close());
      cleanups.push(() => queue.stop());
      queue.start();
      const started = Date.now();
      await writeBack.enqueue(queue, previewId);
      const job = await waitFor(
        async () => {
          const row = await knex('jobs').first();
          return ['succeeded', 'dead'].includes(row?.state) && row;
        },
        { timeoutMs: 20_000, what: 'the sync to end' },
      );
      const statusCalls = github.requests.filter(r =>
        r.path.startsWith('/repos/acme/web/statuses/'),
      );
      return { job, statusCalls, callTimes, tookMs: Date.now() - started };
    }

    it('aborts a call GitHub never answers at the call timeout: dead as timeout after the configured attempts', async () => {
      const { job, statusCalls, tookMs } = await runSync(
        () => new Promise<FakeApiAnswer>(() => {}),
      );

      expect(job).toMatchObject({
        state: 'dead',
        attempts: 3,
        max_attempts: 3,
        error_class: 'timeout',
      });
      expect(job.last_error).toContain('no answer within 300 ms');
      expect(statusCalls).toHaveLength(3);
      // Three attempts of 300 ms each, not a worker held for good.
      expect(tookMs).toBeGreaterThanOrEqual(900);
      expect(tookMs).toBeLessThan(10_000);
    });

    it('aborts a body that dribbles in past the call timeout', async () => {
      const { job, statusCalls } = await runSync(() => ({
        status: 201,
        body: { id: 1, padding: 'x'.repeat(100) },
        dribbleMs: 50,
      }));

      expect(job).toMatchObject({ state: 'dead', error_class: 'timeout' });
      expect(statusCalls).toHaveLength(3);
    });

    it.each([
      ['Retry-After', 429, () => ({ 'retry-after': '1' })],
      [
        'X-RateLimit-Reset',
        403,
        () => ({
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 1),
        }),
      ],
    ])(
      'retries a rate-limited call after its %s, not the backoff',
      async (_header, status, headers) => {
        let limited = false;
        const { job, statusCalls, callTimes } = await runSync(() => {
          if (limited) return { status: 201, body: { id: 1 } };
          limited = true;
          return {
            status,
            headers: headers(),
            body: { message: 'API rate limit exceeded' },
          };
        });

        // The backoff alone would have retried within 10 ms.
        expect(job).toMatchObject({ state: 'succeeded', attempts: 2 });
        expect(statusCalls).toHaveLength(2);
        expect(callTimes[1] - callTimes[0]).toBeGreaterThanOrEqual(900);
      },
    );
  },
);
