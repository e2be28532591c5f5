import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { startFakeGithub } from '@opshub/plugin-opshub-node/testUtils';
import { migrateUp } from '../database/migrations';
import { DatabasePreviewStore } from '../previews/DatabasePreviewStore';
import { DatabaseProjectStore } from '../projects/DatabaseProjectStore';
import type { ProjectInput } from '../projects/ProjectStore';
import { DatabaseJobStore } from '../queue/DatabaseJobStore';
import { JobQueue } from '../queue/JobQueue';
import { createTestDatabases } from '../__testUtils__/databases';
import { seedPreview } from '../__testUtils__/previews';
import { deferred, waitFor } from '../__testUtils__/waitFor';
import { githubClientsFromConfig } from './githubClients';
import { githubWriteBack } from './githubWriteBack';
import { GithubWriteRecords } from './GithubWriteRecords';
import { commentMarker, githubPreviewSyncHandler } from './previewWriteBack';
import { WritePacer } from './WritePacer';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const ENTITY = 'component:default/web';
const SHA = 'a'.repeat(40);
/** The entity's project: its catalog location is inside acme/web. */
const VERIFIED: ProjectInput = {
  entityRef: ENTITY,
  repoSlug: 'acme/web',
  location: 'url:https://github.com/acme/web/blob/main/catalog-info.yaml',
  verifiedBy: 'location',
};

describe.each(databases.eachSupportedId())('GitHub write-back on %s', id => {
  const servers: Array<{ close(): Promise<unknown> }> = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(s => s.close()));
  });

  async function setup(
    existingComments: object[] = [],
    project: ProjectInput | null = VERIFIED,
  ) {
    const knex = await databases.init(id);
    await migrateUp(knex);
    const projects = new DatabaseProjectStore(knex);
    await projects.replaceAll(project ? [project] : []);
    const github = await startFakeGithub({ existingComments });
    servers.push(github);
    const previews = new DatabasePreviewStore(knex);
    const previewId = await seedPreview(knex, {
      entityRef: ENTITY,
      prNumber: 7,
      state: 'queued',
      repository: 'acme/web',
      headSha: SHA,
    });
    const handler = githubPreviewSyncHandler({
      previews,
      projects,
      records: new GithubWriteRecords(knex),
      clientFor: githubClientsFromConfig(
        new ConfigReader({
          integrations: {
            github: [
              {
                host: 'github.com',
                apiBaseUrl: github.url,
                token: 'ghp_test',
              },
            ],
          },
        }),
      ),
      pacer: new WritePacer(6000),
    });
    const sync = async (state: object) => {
      await knex('previews').where({ id: previewId }).update(state);
      github.requests.splice(0);
      await handler({
        job: { payload: { previewId } } as any,
        signal: new AbortController().signal,
      });
      return github.requests.map(({ method, path, body }) => ({
        method,
        path,
        body,
      }));
    };
    return { sync, github };
  }

  it('writes queued and building alike: only the Deployment comes with building', async () => {
    const { sync } = await setup();
    const queued = await sync({ state: 'queued' });
    expect(queued.map(r => `${r.method} ${r.path}`)).toEqual([
      `POST /repos/acme/web/statuses/${SHA}`,
      'GET /repos/acme/web/issues/7/comments',
      'POST /repos/acme/web/issues/7/comments',
    ]);
    expect((await sync({ state: 'building' })).map(r => r.path)).toEqual([
      '/repos/acme/web/deployments',
      '/repos/acme/web/deployments/42/statuses',
    ]);
    const ready = await sync({ state: 'ready', url: 'https://pr-7.test' });
    expect(ready.map(r => `${r.method} ${r.path}`)).toEqual([
      `POST /repos/acme/web/statuses/${SHA}`,
      'POST /repos/acme/web/deployments/42/statuses',
      'PATCH /repos/acme/web/issues/comments/99',
    ]);
  });

  it('writes status, deployment and one comment, each change once', async () => {
    const { sync, github } = await setup();

    const building = await sync({ state: 'building' });
    expect(
      github.requests.every(r => r.headers.authorization === 'token ghp_test'),
    ).toBe(true);
    expect(building).toEqual([
      {
        method: 'POST',
        path: `/repos/acme/web/statuses/${SHA}`,
        body: {
          state: 'pending',
          context: 'opshub/preview',
          description: 'Building the preview',
        },
      },
      {
        method: 'POST',
        path: '/repos/acme/web/deployments',
        body: {
          ref: SHA,
          environment: 'preview/pr-7',
          description: `OpsHub preview of ${ENTITY}`,
          transient_environment: true,
          production_environment: false,
          auto_merge: false,
          required_contexts: [],
        },
      },
      {
        method: 'POST',
        path: '/repos/acme/web/deployments/42/statuses',
        body: { state: 'in_progress' },
      },
      {
        method: 'GET',
        path: '/repos/acme/web/issues/7/comments',
        body: undefined,
      },
      {
        method: 'POST',
        path: '/repos/acme/web/issues/7/comments',
        body: {
          body: expect.stringMatching(
            /^<!-- opshub:preview component:default\/web -->\n/,
          ),
        },
      },
    ]);

    // The same state again (a repeated job): nothing is written.
    expect(await sync({ state: 'building' })).toEqual([]);

    const ready = await sync({
      state: 'ready',
      url: 'https://web-pr-7.preview.test',
    });
    expect(ready).toEqual([
      {
        method: 'POST',
        path: `/repos/acme/web/statuses/${SHA}`,
        body: {
          state: 'success',
          context: 'opshub/preview',
          description: 'Preview ready',
          target_url: 'https://web-pr-7.preview.test',
        },
      },
      {
        method: 'POST',
        path: '/repos/acme/web/deployments/42/statuses',
        body: {
          state: 'success',
          environment_url: 'https://web-pr-7.preview.test',
        },
      },
      {
        method: 'PATCH',
        path: '/repos/acme/web/issues/comments/99',
        body: {
          body: expect.stringContaining(
            '- Preview: https://web-pr-7.preview.test',
          ),
        },
      },
    ]);

    const destroyed = await sync({ state: 'destroyed' });
    expect(destroyed).toEqual([
      {
        method: 'POST',
        path: '/repos/acme/web/deployments/42/statuses',
        body: { state: 'inactive' },
      },
      {
        method: 'PATCH',
        path: '/repos/acme/web/issues/comments/99',
        body: { body: expect.stringContaining('torn down') },
      },
    ]);
  });

  it.each<[string, ProjectInput | null]>([
    [
      'whose catalog location is in another repository',
      {
        ...VERIFIED,
        location:
          'url:https://github.com/evil/other/blob/main/catalog-info.yaml',
        verifiedBy: undefined,
      },
    ],
    [
      'whose catalog location is a file',
      {
        ...VERIFIED,
        location: 'file:/tmp/catalog-info.yaml',
        verifiedBy: undefined,
      },
    ],
    ['that OpsHub does not track', null],
    [
      'verified for another repository than the preview',
      { ...VERIFIED, repoSlug: 'acme/elsewhere' },
    ],
  ])(
    'writes nothing for the preview of an entity %s',
    async (_case, project) => {
      const { sync } = await setup([], project);
      for (const state of ['queued', 'building', 'ready', 'failed']) {
        expect(await sync({ state, url: 'https://pr-7.test' })).toEqual([]);
      }
    },
  );

  it('edits the comment an earlier run left, found by its marker', async () => {
    const { sync } = await setup([
      { id: 11, body: 'Nice change!' },
      { id: 55, body: `${commentMarker(ENTITY)}\nold` },
    ]);
    const writes = await sync({ state: 'awaiting-approval' });
    expect(writes.map(w => `${w.method} ${w.path}`)).toEqual([
      `POST /repos/acme/web/statuses/${SHA}`,
      'GET /repos/acme/web/issues/7/comments',
      'PATCH /repos/acme/web/issues/comments/55',
    ]);
  });
});

describe.each(databases.eachSupportedId())(
  'GitHub write-back jobs on %s',
  id => {
    const cleanups: Array<() => Promise<unknown>> = [];
    afterEach(async () => {
      // In reverse: release held requests, stop the queue, then the fake.
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    it("runs one preview's syncs one at a time: a sync queued while another runs waits", async () => {
      const knex = await databases.init(id);
      await migrateUp(knex);
      const github = await startFakeGithub();
      cleanups.push(() => github.close());

      // The first commit status request of the preview's head waits here
      // until the test lets it through.
      const held = deferred();
      const release = deferred();
      let holding = true;
      github.route(
        'POST /repos/:owner/:repo/statuses/:sha',
        async ({ params }) => {
          if (params.sha === SHA && holding) {
            holding = false;
            held.resolve();
            await release.promise;
          }
          return { status: 201, body: { id: 1 } };
        },
      );

      await new DatabaseProjectStore(knex).replaceAll([VERIFIED]);
      const previews = new DatabasePreviewStore(knex);
      const previewId = await seedPreview(knex, {
        entityRef: ENTITY,
        prNumber: 7,
        state: 'building',
        repository: 'acme/web',
        headSha: SHA,
      });
      const otherId = await seedPreview(knex, {
        entityRef: ENTITY,
        prNumber: 8,
        state: 'building',
        repository: 'acme/web',
        headSha: 'b'.repeat(40),
      });
      const writeBack = githubWriteBack(
        new ConfigReader({
          integrations: {
            github: [
              { host: 'github.com', apiBaseUrl: github.url, token: 'ghp_test' },
            ],
          },
        }),
        { previews, knex, writesPerMinute: 60_000 },
      )!;
      const store = new DatabaseJobStore(knex);
      const queue = new JobQueue(store, mockServices.logger.mock(), {
        concurrency: 4,
        pollIntervalMs: 50,
      });
      queue.register(writeBack.type, writeBack.handler);
      cleanups.push(() => store.close());
      cleanups.push(() => queue.stop());
      cleanups.push(async () => release.resolve());
      queue.start();

      const jobsOf = async (preview: string) =>
        (await knex('jobs').orderBy('id')).filter(
          row => JSON.parse(row.payload).previewId === preview,
        );

      await writeBack.enqueue(queue, previewId);
      await held.promise; // the first sync runs, its first write held
      await writeBack.enqueue(queue, previewId);
      const [first, second] = await jobsOf(previewId);
      expect(first.state).toBe('running');
      expect(second.state).toBe('queued');

      // Another preview's sync, queued after the second one: once it has
      // been claimed and run, the queue has looked at the second one too
      // (it comes first, and there were free slots for both).
      await writeBack.enqueue(queue, otherId);
      await waitFor(
        async () => (await jobsOf(otherId))[0]?.state === 'succeeded',
        { what: "the other preview's sync" },
      );
      expect((await jobsOf(previewId)).map(job => job.state)).toEqual([
        'running',
        'queued',
      ]);

      release.resolve();
      await waitFor(
        async () =>
          (await jobsOf(previewId)).every(job => job.state === 'succeeded'),
        { what: "both of the preview's syncs" },
      );
      // One of each for the preview's head (today's write record says so).
      const posted = (path: string, ref?: string) =>
        github.requests.filter(
          r =>
            r.method === 'POST' &&
            r.path === path &&
            (ref === undefined || (r.body as { ref?: string }).ref === ref),
        );
      expect(posted(`/repos/acme/web/statuses/${SHA}`)).toEqual([
        expect.objectContaining({
          body: expect.objectContaining({ state: 'pending' }),
        }),
      ]);
      expect(posted('/repos/acme/web/deployments', SHA)).toHaveLength(1);
      expect(posted('/repos/acme/web/issues/7/comments')).toHaveLength(1);
    });
  },
);

describe('WritePacer', () => {
  it('spaces turns at the configured rate', async () => {
    const waits: number[] = [];
    const pacer = new WritePacer(60, async ms => {
      waits.push(ms);
    });
    await pacer.turn();
    await pacer.turn();
    await pacer.turn();
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeGreaterThan(900);
    expect(waits[1]).toBeGreaterThan(1900);
  });
});

describe('githubWriteBack', () => {
  const deps = { previews: {} as any, knex: {} as any, writesPerMinute: 60 };
  it('is on only when integrations.github can write', () => {
    expect(githubWriteBack(new ConfigReader({}), deps)).toBeUndefined();
    expect(
      githubWriteBack(
        new ConfigReader({
          integrations: { github: [{ host: 'github.com', token: 't' }] },
        }),
        deps,
      )?.type,
    ).toBe('github-preview-sync');
  });
});
