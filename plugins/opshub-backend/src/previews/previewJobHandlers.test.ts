import { mockServices } from '@backstage/backend-test-utils';
import {
  type PreviewDeploymentStatus,
  type PreviewProvider,
  PreviewProviderPermanentError,
  PreviewProviderRateLimitedError,
  type PreviewSource,
  type PreviewVariable,
  type PushedVariable,
} from '@opshub/plugin-opshub-node';
import type { Knex } from 'knex';
import { migrateUp } from '../database/migrations';
import { toDate } from '../database/timestamps';
import { DatabaseProjectStore } from '../projects/DatabaseProjectStore';
import { DatabaseJobStore } from '../queue/DatabaseJobStore';
import { JobPermanentError, JobRetryLaterError } from '../queue/errors';
import { JobQueue } from '../queue/JobQueue';
import type { Job, JsonObject } from '../queue/types';
import type { PreviewJobPayload } from '../webhooks/planDelivery';
import { createTestDatabases } from '../__testUtils__/databases';
import { waitFor } from '../__testUtils__/waitFor';
import { DatabaseEnvVarStore } from '../envvars/DatabaseEnvVarStore';
import { testCipher } from '../envvars/testCipher';
import { DatabasePreviewStore } from './DatabasePreviewStore';
import { PreviewEnvPushes } from './PreviewEnvPushes';
import { MockPreviewProvider } from './MockPreviewProvider';
import { PreviewDeploys } from './PreviewDeploys';
import { ProviderRepositoryChecks } from './ProviderRepositoryChecks';
import {
  type CheckPreviewPayload,
  checkPreviewHandler,
  buildPreviewHandler,
  createPreviewHandler,
  destroyDeployHandler,
  destroyPreviewHandler,
  type PreviewJobDeps,
  teardownPreviewHandler,
} from './previewJobHandlers';
import { registerPreviewJobs } from './registerPreviewJobs';
import { sweepExpiredPreviews } from './sweepExpiredPreviews';
import { defaultPreviewRules } from './previewRules';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const ENTITY = 'component:default/web';
const SHA1 = '1'.repeat(40);
const SHA2 = '2'.repeat(40);

/** A provider whose answers the test sets, recording every call. */
class ScriptedProvider implements PreviewProvider {
  readonly id = 'scripted';
  calls: string[] = [];
  createError?: Error;
  /** Fails after creating: the answer is lost, as in a crash. */
  loseAnswer?: Error;
  statusError?: Error;
  findError?: Error;
  status_: PreviewDeploymentStatus = { state: 'building' };
  /** Deploys that exist at the provider, by head. */
  live = new Map<string, string>();
  private next = 1;

  async create(source: { headSha: string }) {
    this.calls.push(`create ${source.headSha.slice(0, 1)}`);
    if (this.createError) throw this.createError;
    const deploymentId = `d${this.next++}`;
    this.live.set(source.headSha, deploymentId);
    if (this.loseAnswer) throw this.loseAnswer;
    return { deploymentId };
  }
  async find(source: { headSha: string }) {
    this.calls.push(`find ${source.headSha.slice(0, 1)}`);
    if (this.findError) throw this.findError;
    const deploymentId = this.live.get(source.headSha);
    return deploymentId ? { deploymentId } : undefined;
  }
  async status(deployment: { deploymentId: string }) {
    this.calls.push(`status ${deployment.deploymentId}`);
    if (this.statusError) throw this.statusError;
    return this.status_;
  }
  async destroy(deployment: { deploymentId: string }) {
    this.calls.push(`destroy ${deployment.deploymentId}`);
    for (const [sha, id] of this.live) {
      if (id === deployment.deploymentId) this.live.delete(sha);
    }
  }
}

/** A provider whose project the entity names is linked to a repository. */
class LinkedProvider extends ScriptedProvider {
  linkedTo = 'acme/web';
  async checkRepository(source: { repository: string }) {
    this.calls.push(`check ${source.repository}`);
    if (source.repository.toLowerCase() !== this.linkedTo) {
      throw new PreviewProviderPermanentError(
        `The project is linked to github.com/${this.linkedTo}, not ${source.repository}`,
      );
    }
  }
}

/** A provider that takes the variables of a PR's branch, recording each push. */
class EnvProvider extends ScriptedProvider {
  syncs: Array<{
    branch: string;
    variables: PreviewVariable[];
    pushed: PushedVariable[];
  }> = [];
  syncError?: Error;
  private nextEnv = 1;
  async syncEnvironment(
    source: PreviewSource,
    variables: PreviewVariable[],
    pushed: PushedVariable[],
  ): Promise<PushedVariable[]> {
    this.calls.push(`sync ${variables.map(v => v.name).join(',')}`);
    this.syncs.push({ branch: source.branch, variables, pushed });
    if (this.syncError) throw this.syncError;
    const ids = new Map(pushed.map(p => [p.name, p.providerId]));
    return variables.map(v => ({
      name: v.name,
      providerId: ids.get(v.name) ?? `env${this.nextEnv++}`,
      detail: 'created',
    }));
  }
}

function prEvent(
  action: string,
  pr: Partial<PreviewJobPayload['pullRequest']> = {},
): PreviewJobPayload {
  return {
    deliveryId: `d-${Math.random()}`,
    entityRef: ENTITY,
    repository: 'acme/web',
    action,
    pullRequest: {
      number: 7,
      title: 'Add search',
      author: 'octocat',
      draft: false,
      merged: false,
      labels: [],
      headSha: SHA1,
      headRef: 'search',
      baseRef: 'main',
      fromFork: false,
      updatedAt: '2026-11-26T10:00:00Z',
      ...pr,
    },
  };
}

function jobOf<T extends JsonObject>(
  type: string,
  payload: T,
  attempts = 1,
): Job<T> {
  const now = new Date();
  return {
    id: '1',
    type,
    key: null,
    group: null,
    order: null,
    payload,
    state: 'running',
    priority: 0,
    attempts,
    maxAttempts: 5,
    runAt: now,
    lockedBy: 'test',
    lockedUntil: now,
    lastError: null,
    errorClass: null,
    createdAt: new Date(now.getTime() - 1000),
    updatedAt: now,
    finishedAt: null,
  };
}

describe.each(databases.eachSupportedId())('preview jobs on %s', id => {
  const stores: DatabaseJobStore[] = [];
  const queues: JobQueue[] = [];
  afterEach(async () => {
    await Promise.all(queues.splice(0).map(q => q.stop()));
    await Promise.all(stores.splice(0).map(s => s.close()));
  });

  async function setup(provider: PreviewProvider = new ScriptedProvider()) {
    const knex = await databases.init(id);
    await migrateUp(knex);
    const projects = new DatabaseProjectStore(knex);
    await projects.replaceAll([
      {
        entityRef: ENTITY,
        repoSlug: 'acme/web',
        previewProvider: provider.id,
        verifiedBy: 'location',
      },
    ]);
    const jobs = new DatabaseJobStore(knex);
    stores.push(jobs);
    const queue = new JobQueue(jobs, mockServices.logger.mock(), {
      pollIntervalMs: 50,
    });
    queues.push(queue);
    const previews = new DatabasePreviewStore(knex);
    const notified: string[] = [];
    const announced: string[] = [];
    const deps: PreviewJobDeps = {
      knex,
      previews,
      deploys: new PreviewDeploys(knex),
      repositoryChecks: new ProviderRepositoryChecks(knex),
      projects,
      envVars: new DatabaseEnvVarStore(knex),
      cipher: testCipher(),
      envPushes: new PreviewEnvPushes(knex),
      providers: new Map([[provider.id, provider]]),
      annotationsOf: async () => ({
        'opshub.dev/preview-provider': provider.id,
      }),
      queue,
      rules: defaultPreviewRules,
      notify: changed => notified.push(changed.entityRef),
      announce: (previewId, event) => announced.push(`${event} ${previewId}`),
      checkIntervalMs: 1_000,
      buildTimeoutMs: 60_000,
      logger: mockServices.logger.mock(),
    };
    const signal = new AbortController().signal;
    const run = {
      create: (payload: PreviewJobPayload, attempt?: number) =>
        createPreviewHandler(deps)({
          job: jobOf('create-preview', payload, attempt),
          signal,
        }),
      check: (payload: CheckPreviewPayload, attempt?: number) =>
        checkPreviewHandler(deps)({
          job: jobOf('check-preview', payload, attempt),
          signal,
        }),
      teardown: (payload: PreviewJobPayload) =>
        teardownPreviewHandler(deps)({
          job: jobOf('teardown-preview', payload),
          signal,
        }),
      /** Runs the destroy-deploy jobs waiting in the queue. */
      destroyDeploys: async () => {
        const waiting = await knex('jobs').where({
          type: 'destroy-deploy',
          state: 'queued',
        });
        for (const row of waiting) {
          await destroyDeployHandler(deps)({
            job: jobOf('destroy-deploy', JSON.parse(row.payload)),
            signal,
          });
          await knex('jobs')
            .where({ id: row.id })
            .update({ state: 'succeeded' });
        }
        return waiting.length;
      },
    };
    const preview = async () => (await previews.find(ENTITY, 7))!;
    const checkJobs = async () =>
      (
        await knex('jobs').where({ type: 'check-preview', state: 'queued' })
      ).map(row => JSON.parse(row.payload) as CheckPreviewPayload);
    /** Writes a variable as the env-var routes do (sealed, versioned). */
    const setVar = async (
      environment: string,
      name: string,
      value: string,
      options: { branch?: string; sensitive?: boolean } = {},
    ) => {
      const key = {
        entityRef: ENTITY,
        environment,
        branch: options.branch ?? null,
        name,
      };
      const version = await deps.envVars.nextVersion(key);
      await deps.envVars.write({
        ...key,
        version,
        sensitive: options.sensitive ?? false,
        sealed: await deps.cipher.seal(value, { ...key, version }),
        actor: 'user:default/alice',
      });
    };
    const deployEvents = (k: Knex = knex) =>
      k('deploy_events')
        .orderBy('id')
        .select('head_sha', 'outcome', 'error_class');
    return {
      knex,
      deps,
      queue,
      previews,
      run,
      preview,
      checkJobs,
      deployEvents,
      notified,
      announced,
      setVar,
    };
  }

  it('builds an opened PR, follows the build and records it ready', async () => {
    const provider = new ScriptedProvider();
    const { run, preview, checkJobs, knex, notified, announced } = await setup(
      provider,
    );

    await run.create(prEvent('opened'));
    expect(await preview()).toMatchObject({
      state: 'building',
      headSha: SHA1,
      deploymentId: 'd1',
      branch: 'search',
      provider: 'scripted',
    });
    const [check] = await checkJobs();
    expect(check).toMatchObject({ headSha: SHA1 });
    // The first look is due at once (a build may be ready when created).
    const [due] = await knex('jobs').where({ type: 'check-preview' });
    expect(toDate(due.run_at).getTime()).toBeLessThanOrEqual(Date.now());

    // Still building: the job asks to run again instead of waiting.
    expect(await run.check(check)).toEqual({ rescheduleInMs: 1_000 });
    provider.status_ = { state: 'ready', url: 'https://pr-7.example.test' };
    await run.check(check);
    expect(await preview()).toMatchObject({
      state: 'ready',
      url: 'https://pr-7.example.test',
    });
    const [event] = await knex('deploy_events');
    expect(event).toMatchObject({
      head_sha: SHA1,
      outcome: 'succeeded',
      environment: 'preview',
      environment_class: 'preview',
      source: 'preview',
      pr_number: 7,
    });
    expect(toDate(event.finished_at).getTime()).toBeGreaterThanOrEqual(
      toDate(event.started_at).getTime(),
    );
    expect(toDate(event.updated_at)).toEqual(toDate(event.finished_at));
    expect(provider.calls).toEqual(['create 1', 'status d1', 'status d1']);
    // Open pages heard of each change: recorded, building, ready; the team
    // hears once that it is ready.
    expect(notified).toEqual([ENTITY, ENTITY, ENTITY]);
    expect(announced).toEqual([`ready ${(await preview()).id}`]);

    // The same event again (at-least-once): nothing new is built.
    await run.create(prEvent('opened'));
    expect(provider.calls).toHaveLength(3);
  });

  it('lets a newer head supersede a build, and never an older event win', async () => {
    const provider = new ScriptedProvider();
    const { run, preview, checkJobs, deployEvents } = await setup(provider);
    await run.create(prEvent('opened'));
    const [oldCheck] = await checkJobs();

    await run.create(
      prEvent('synchronize', {
        headSha: SHA2,
        updatedAt: '2026-11-26T10:05:00Z',
      }),
    );
    expect(await preview()).toMatchObject({
      headSha: SHA2,
      deploymentId: 'd2',
    });
    // The old head's check finds its build superseded and does nothing.
    provider.status_ = { state: 'ready', url: 'https://old.example.test' };
    await run.check(oldCheck);
    expect(await preview()).toMatchObject({ state: 'building', url: null });
    expect(await deployEvents()).toEqual([
      { head_sha: SHA1, outcome: 'superseded', error_class: null },
      { head_sha: SHA2, outcome: null, error_class: null },
    ]);

    // An event older than the one applied (a late retry) changes nothing.
    await run.create(prEvent('labeled', { updatedAt: '2026-11-26T10:01:00Z' }));
    expect(await preview()).toMatchObject({ headSha: SHA2 });
    expect(provider.calls.filter(c => c.startsWith('create'))).toEqual([
      'create 1',
      'create 2',
    ]);
  });

  it('waits for drafts, skips bots and tears down on the skip label', async () => {
    const provider = new ScriptedProvider();
    const { run, previews, preview } = await setup(provider);

    await run.create(prEvent('opened', { draft: true }));
    await run.create(
      prEvent('opened', { number: 8, author: 'dependabot[bot]' }),
    );
    expect(await previews.find(ENTITY, 7)).toBeUndefined();
    expect(await previews.find(ENTITY, 8)).toBeUndefined();

    await run.create(
      prEvent('ready_for_review', { updatedAt: '2026-11-26T10:01:00Z' }),
    );
    expect((await preview()).state).toBe('building');

    await run.create(
      prEvent('labeled', {
        labels: ['opshub/skip'],
        updatedAt: '2026-11-26T10:02:00Z',
      }),
    );
    expect(await preview()).toMatchObject({ state: 'destroyed' });
    expect(provider.calls).toEqual(['create 1', 'destroy d1']);

    // Removing the label builds again.
    await run.create(
      prEvent('unlabeled', { updatedAt: '2026-11-26T10:03:00Z' }),
    );
    expect(await preview()).toMatchObject({
      state: 'building',
      deploymentId: 'd2',
    });
  });

  it('holds a fork PR for approval without calling the provider', async () => {
    const provider = new ScriptedProvider();
    const { run, preview } = await setup(provider);
    await run.create(prEvent('opened', { fromFork: true }));
    expect(await preview()).toMatchObject({
      state: 'awaiting-approval',
      fromFork: true,
      deploymentId: null,
    });
    expect(provider.calls).toEqual([]);
  });

  it('tears a closed PR down, cancelling the build in flight', async () => {
    const provider = new ScriptedProvider();
    const { run, preview, deployEvents, announced } = await setup(provider);
    await run.create(prEvent('opened'));
    await run.teardown(prEvent('closed', { merged: true }));
    expect(await preview()).toMatchObject({
      state: 'destroyed',
      closedAs: 'merged',
    });
    expect(await deployEvents()).toEqual([
      { head_sha: SHA1, outcome: 'cancelled', error_class: 'cancelled' },
    ]);
    // Again (at-least-once): nothing more happens, nothing is announced twice.
    await run.teardown(prEvent('closed', { merged: true }));
    expect(provider.calls).toEqual(['create 1', 'destroy d1']);
    expect(announced).toEqual([`torn-down ${(await preview()).id}`]);
  });

  it('records failed and timed-out builds with their error class', async () => {
    const provider = new ScriptedProvider();
    const { run, preview, checkJobs, deployEvents, deps } = await setup(
      provider,
    );
    await run.create(prEvent('opened'));
    provider.status_ = {
      state: 'failed',
      errorClass: 'build',
      errorCode: 'BUILD_FAILED',
      message: 'npm run build exited 1',
    };
    await run.check((await checkJobs())[0]);
    expect(await preview()).toMatchObject({
      state: 'failed',
      errorClass: 'build',
      errorMessage: 'npm run build exited 1',
    });

    await run.create(
      prEvent('synchronize', {
        headSha: SHA2,
        updatedAt: '2026-11-26T11:00:00Z',
      }),
    );
    provider.status_ = { state: 'building' };
    const [check] = await checkJobs();
    deps.buildTimeoutMs = 0;
    expect(await run.check(check)).toBeUndefined();
    expect(await preview()).toMatchObject({
      state: 'failed',
      errorClass: 'timeout',
    });
    expect(await deployEvents()).toEqual([
      { head_sha: SHA1, outcome: 'failed', error_class: 'build' },
      { head_sha: SHA2, outcome: 'failed', error_class: 'timeout' },
    ]);
  });

  it("refuses a PR beyond the entity's cap on live previews, saying why", async () => {
    const provider = new ScriptedProvider();
    const { run, deps, previews, announced, deployEvents } = await setup(
      provider,
    );
    deps.rules = { ...defaultPreviewRules, maxLive: 1 };
    await run.create(prEvent('opened'));
    await run.create(prEvent('opened', { number: 8 }));
    const refused = (await previews.find(ENTITY, 8))!;
    expect(refused).toMatchObject({ state: 'failed', errorClass: 'quota' });
    expect(refused.errorMessage).toMatch(/has 1 live previews/);
    expect(announced).toEqual([`failed ${refused.id}`]);
    expect(provider.calls).toEqual(['create 1']);
    // The refused deploy is an event too, for the analytics' error classes.
    expect(await deployEvents()).toEqual([
      { head_sha: SHA1, outcome: null, error_class: null },
      { head_sha: SHA1, outcome: 'failed', error_class: 'quota' },
    ]);

    // Once PR 7 closes, PR 8's next push builds.
    await run.teardown(prEvent('closed'));
    await run.create(
      prEvent('synchronize', {
        number: 8,
        headSha: SHA2,
        updatedAt: '2026-11-26T11:00:00Z',
      }),
    );
    expect((await previews.find(ENTITY, 8))!.state).toBe('building');
  });

  it("turns the provider's errors into the queue's retry decisions", async () => {
    const provider = new ScriptedProvider();
    const { run, deps, announced } = await setup(provider);
    provider.createError = new PreviewProviderRateLimitedError(
      'slow down',
      42_000,
    );
    await expect(run.create(prEvent('opened'))).rejects.toEqual(
      new JobRetryLaterError('slow down', 42_000),
    );
    provider.createError = new Error('socket hang up');
    await expect(run.create(prEvent('opened'))).rejects.toThrow(
      'socket hang up',
    );
    // The preview waits, queued, for the retry.
    expect((await deps.previews.find(ENTITY, 7))!.state).toBe('queued');
    expect(announced).toEqual([]);

    // A refusal no retry fixes fails the job and the preview at once.
    provider.createError = new PreviewProviderPermanentError(
      'component:default/web has no vercel.com/project-id annotation',
    );
    await expect(run.create(prEvent('opened'))).rejects.toBeInstanceOf(
      JobPermanentError,
    );
    const failed = (await deps.previews.find(ENTITY, 7))!;
    expect(failed).toMatchObject({
      state: 'failed',
      errorClass: 'configuration',
      errorMessage:
        'component:default/web has no vercel.com/project-id annotation',
    });
    expect(announced).toEqual([`failed ${failed.id}`]);
  });

  it.each([
    [new Error('HTTP 503'), 'provider-outage'],
    [new PreviewProviderRateLimitedError('HTTP 429', 1_000), 'quota'],
  ])(
    'fails the preview when the last attempt to start its build fails (%s)',
    async (error, errorClass) => {
      const provider = new ScriptedProvider();
      const { run, preview, announced, deployEvents } = await setup(provider);
      provider.createError = error;
      await expect(run.create(prEvent('opened'), 4)).rejects.toThrow();
      expect((await preview()).state).toBe('queued');
      await expect(run.create(prEvent('opened'), 5)).rejects.toThrow();
      expect(await preview()).toMatchObject({
        state: 'failed',
        errorClass,
        errorMessage: error.message,
      });
      expect(announced).toEqual([`failed ${(await preview()).id}`]);
      expect(await deployEvents()).toEqual([
        { head_sha: SHA1, outcome: 'failed', error_class: errorClass },
      ]);
    },
  );

  it('fails a build whose status the provider refuses, or cannot give by the last attempt', async () => {
    const provider = new ScriptedProvider();
    const { run, preview, checkJobs, deployEvents } = await setup(provider);
    await run.create(prEvent('opened'));
    const [check] = await checkJobs();

    provider.statusError = new Error('HTTP 502');
    await expect(run.check(check, 4)).rejects.toThrow('HTTP 502');
    expect((await preview()).state).toBe('building');
    await expect(run.check(check, 5)).rejects.toThrow('HTTP 502');
    expect(await preview()).toMatchObject({
      state: 'failed',
      errorClass: 'provider-outage',
    });
    expect(await deployEvents()).toEqual([
      { head_sha: SHA1, outcome: 'failed', error_class: 'provider-outage' },
    ]);
  });

  it('removes a deploy that a newer head overtook while it was created', async () => {
    const provider = new ScriptedProvider();
    const { run, deps, preview, knex } = await setup(provider);
    // A synchronize lands while the provider is still creating SHA1's deploy.
    const create = provider.create.bind(provider);
    provider.create = async source => {
      const deployment = await create(source);
      const current = await preview();
      await knex.transaction(trx =>
        deps.previews.recordHead(trx, {
          ...current,
          headSha: SHA2,
          prUpdatedAt: new Date('2026-11-26T10:05:00Z'),
          state: 'queued',
          ttlMs: 1000,
        }),
      );
      return deployment;
    };
    await run.create(prEvent('opened'));
    expect(await preview()).toMatchObject({ headSha: SHA2, state: 'queued' });
    // Recorded, and destroyed through a job of its own.
    expect(provider.calls).toEqual(['create 1']);
    expect(await run.destroyDeploys()).toBe(1);
    expect(provider.calls).toEqual(['create 1', 'destroy d1']);
  });

  it('expires previews past their TTL, unless a push renewed it', async () => {
    const provider = new ScriptedProvider();
    const { run, knex, deps, previews } = await setup(provider);
    await run.create(prEvent('opened'));
    await run.create(prEvent('opened', { number: 8, fromFork: true }));
    await run.create(prEvent('opened', { number: 9 }));
    const past = new Date(Date.now() - 1000);
    await knex('previews')
      .whereIn('pr_number', [7, 8, 9])
      .update({ expires_at: past });

    expect(
      await sweepExpiredPreviews({ knex, previews, queue: deps.queue }),
    ).toBe(3);
    const jobs = await knex('jobs')
      .where({ type: 'destroy-preview', state: 'queued' })
      .orderBy('id');
    expect(jobs).toHaveLength(3);
    // PR 9 is pushed to after the sweep: its TTL starts again.
    await run.create(
      prEvent('synchronize', {
        number: 9,
        headSha: SHA2,
        updatedAt: '2026-11-26T11:00:00Z',
      }),
    );

    const signal = new AbortController().signal;
    for (const job of jobs) {
      await destroyPreviewHandler(deps)({
        job: jobOf('destroy-preview', JSON.parse(job.payload)),
        signal,
      });
    }
    const stateOf = async (n: number) =>
      (await previews.find(ENTITY, n))!.state;
    expect(await stateOf(7)).toBe('expired');
    expect(await stateOf(8)).toBe('expired');
    expect(await stateOf(9)).toBe('building');
    // Only the deploy of PR 7 existed to destroy (PR 8 waited for approval).
    expect(provider.calls.filter(c => c.startsWith('destroy'))).toEqual([
      'destroy d1',
    ]);
    expect(
      await sweepExpiredPreviews({ knex, previews, queue: deps.queue }),
    ).toBe(0);
  });

  it('never brings a closed PR back: label changes on it tear down, and an older event arriving later loses', async () => {
    const provider = new ScriptedProvider();
    const { run, preview } = await setup(provider);
    await run.create(prEvent('opened'));
    await run.teardown(
      prEvent('closed', { merged: true, updatedAt: '2026-11-26T10:10:00Z' }),
    );
    // A merge bot labels the merged PR: the event says closed.
    await run.create(
      prEvent('labeled', {
        state: 'closed',
        merged: true,
        updatedAt: '2026-11-26T10:11:00Z',
      }),
    );
    // A synchronize from before the close, delivered late, with a new head.
    await run.create(
      prEvent('synchronize', {
        headSha: SHA2,
        updatedAt: '2026-11-26T10:05:00Z',
      }),
    );
    // And another action stamped the same as the close.
    await run.create(
      prEvent('unlabeled', { updatedAt: '2026-11-26T10:10:00Z' }),
    );
    expect(await preview()).toMatchObject({
      state: 'destroyed',
      headSha: SHA1,
      closedAs: 'merged',
    });
    expect(provider.calls).toEqual(['create 1', 'destroy d1']);

    // A reopen (a later event of an open PR) brings it back.
    await run.create(
      prEvent('reopened', { updatedAt: '2026-11-26T10:20:00Z' }),
    );
    expect(await preview()).toMatchObject({ state: 'building' });
  });

  it('ignores a close older than the event already applied', async () => {
    const provider = new ScriptedProvider();
    const { run, preview } = await setup(provider);
    await run.create(
      prEvent('reopened', { updatedAt: '2026-11-26T10:20:00Z' }),
    );
    await run.teardown(
      prEvent('closed', { updatedAt: '2026-11-26T10:10:00Z' }),
    );
    expect(await preview()).toMatchObject({ state: 'building' });
    expect(provider.calls).toEqual(['create 1']);
  });

  it('builds nothing for an event older than the close of a PR that had no preview, until a reopen', async () => {
    const provider = new ScriptedProvider();
    const { run, previews, notified, announced, knex } = await setup(provider);
    const closed = prEvent('closed', { updatedAt: '2026-11-26T10:10:00Z' });
    const opened = prEvent('opened', { updatedAt: '2026-11-26T10:00:00Z' });
    // GitHub delivered the close first, and every delivery three times.
    for (const payload of [closed, closed, opened, closed, opened, opened]) {
      await (payload === closed ? run.teardown(payload) : run.create(payload));
    }
    await run.create(
      prEvent('synchronize', {
        headSha: SHA2,
        updatedAt: '2026-11-26T10:10:00Z',
      }),
    );
    expect(await previews.find(ENTITY, 7)).toBeUndefined();
    expect(await previews.list(ENTITY, 10)).toEqual([]);
    expect(provider.calls).toEqual([]);
    expect(notified).toEqual([]);
    expect(announced).toEqual([]);
    const [{ n: jobs }] = await knex('jobs').count({ n: '*' });
    expect(Number(jobs)).toBe(0);

    // A reopen, newer than the close, builds.
    await run.create(
      prEvent('reopened', { updatedAt: '2026-11-26T10:20:00Z' }),
    );
    expect(await previews.find(ENTITY, 7)).toMatchObject({
      state: 'building',
    });
    expect(provider.calls).toEqual(['create 1']);
  });

  it.each([
    ['a user destroyed', { expire: false }, 'destroyed'],
    ['the TTL expired', { expire: true }, 'expired'],
  ])(
    'keeps a preview %s down until a new head',
    async (_what, { expire }, state) => {
      const provider = new ScriptedProvider();
      const { run, deps, preview, knex } = await setup(provider);
      await run.create(prEvent('opened'));
      if (expire) {
        await knex('previews').update({ expires_at: new Date(0) });
      }
      await destroyPreviewHandler(deps)({
        job: jobOf('destroy-preview', {
          previewId: (await preview()).id,
          expire,
        }),
        signal: new AbortController().signal,
      });
      expect((await preview()).state).toBe(state);
      // A label change on the open PR, same head: it stays down.
      await run.create(
        prEvent('labeled', { updatedAt: '2026-11-26T10:30:00Z' }),
      );
      expect((await preview()).state).toBe(state);
      expect(provider.calls).toEqual(['create 1', 'destroy d1']);
      // A new head builds again.
      await run.create(
        prEvent('synchronize', {
          headSha: SHA2,
          updatedAt: '2026-11-26T10:40:00Z',
        }),
      );
      expect(await preview()).toMatchObject({
        state: 'building',
        headSha: SHA2,
      });
    },
  );

  it('destroys the deploy of a superseded head and of a redeployed build through jobs', async () => {
    const provider = new ScriptedProvider();
    const { run, deps, preview, knex } = await setup(provider);
    await run.create(prEvent('opened'));
    await run.create(
      prEvent('synchronize', {
        headSha: SHA2,
        updatedAt: '2026-11-26T10:05:00Z',
      }),
    );
    expect(provider.calls).toEqual(['create 1', 'create 2']);
    const [job] = await knex('jobs').where({ type: 'destroy-deploy' });
    expect(job).toMatchObject({
      state: 'queued',
      exclusion_group: `preview:${ENTITY}#7`,
    });
    expect(await run.destroyDeploys()).toBe(1);
    expect(provider.calls).toEqual(['create 1', 'create 2', 'destroy d1']);

    // A redeploy of the same head: the old build's deploy goes too.
    await knex('previews').update({ state: 'ready' });
    const previewId = (await preview()).id;
    const redeployed = await knex.transaction(trx =>
      deps.previews.requeue(trx, previewId, ['ready']),
    );
    expect(redeployed).toBe(true);
    await buildPreviewHandler(deps)({
      job: jobOf('build-preview', { previewId: (await preview()).id }),
      signal: new AbortController().signal,
    });
    expect(await run.destroyDeploys()).toBe(1);
    expect(provider.calls.slice(3)).toEqual(['create 2', 'destroy d2']);
    expect((await preview()).deploymentId).toBe('d3');
  });

  it('records the intent before creating, so a retry after a lost answer adopts the deploy instead of leaking it', async () => {
    const provider = new ScriptedProvider();
    const { run, preview, knex } = await setup(provider);
    provider.loseAnswer = new Error('socket hang up');
    await expect(run.create(prEvent('opened'))).rejects.toThrow(
      'socket hang up',
    );
    expect(
      await knex('preview_deploys').select('state', 'deployment_id'),
    ).toEqual([{ state: 'intended', deployment_id: null }]);
    provider.loseAnswer = undefined;
    await run.create(prEvent('opened'), 2);
    expect(provider.calls).toEqual(['create 1', 'find 1']);
    expect(await preview()).toMatchObject({
      state: 'building',
      deploymentId: 'd1',
    });
  });

  it('tears down every deploy OpsHub made for the PR, even one whose answer was lost', async () => {
    const provider = new ScriptedProvider();
    const { run, preview } = await setup(provider);
    await run.create(prEvent('opened'));
    provider.loseAnswer = new Error('socket hang up');
    await expect(
      run.create(
        prEvent('synchronize', {
          headSha: SHA2,
          updatedAt: '2026-11-26T10:05:00Z',
        }),
      ),
    ).rejects.toThrow('socket hang up');
    provider.loseAnswer = undefined;
    await run.teardown(
      prEvent('closed', { updatedAt: '2026-11-26T10:10:00Z' }),
    );
    expect((await preview()).state).toBe('destroyed');
    expect(provider.calls).toEqual([
      'create 1',
      'create 2',
      'destroy d1',
      'find 2',
      'destroy d2',
    ]);
    expect(provider.live.size).toBe(0);
  });

  it('tears down a preview whose provider refused its build, and refuses to look for it', async () => {
    const provider = new ScriptedProvider();
    const { run, preview } = await setup(provider);
    provider.createError = new PreviewProviderPermanentError(
      'component:default/web has no vercel.com/project-id annotation',
    );
    provider.findError = provider.createError;
    await expect(run.create(prEvent('opened'))).rejects.toBeInstanceOf(
      JobPermanentError,
    );
    await run.teardown(
      prEvent('closed', { updatedAt: '2026-11-26T10:10:00Z' }),
    );
    // Not stuck destroying: there is nothing the provider could have built.
    expect((await preview()).state).toBe('destroyed');
    expect(provider.calls).toEqual(['create 1', 'find 1']);
  });

  it("checks that the provider project belongs to the PR's repository before the first build and when annotations change", async () => {
    const provider = new LinkedProvider();
    const { run, deps } = await setup(provider);
    await run.create(prEvent('opened'));
    await run.create(
      prEvent('synchronize', {
        headSha: SHA2,
        updatedAt: '2026-11-26T10:05:00Z',
      }),
    );
    expect(provider.calls).toEqual(['check acme/web', 'create 1', 'create 2']);

    deps.annotationsOf = async () => ({
      'opshub.dev/preview-provider': provider.id,
      'vercel.com/project-id': 'prj_other',
    });
    await run.create(prEvent('opened', { number: 8 }));
    expect(provider.calls.slice(3)).toEqual(['check acme/web', 'create 1']);
  });

  it("refuses to build in a provider project linked to another team's repository", async () => {
    const provider = new LinkedProvider();
    provider.linkedTo = 'other-team/site';
    const { run, preview, announced } = await setup(provider);
    await expect(run.create(prEvent('opened'))).rejects.toBeInstanceOf(
      JobPermanentError,
    );
    expect(await preview()).toMatchObject({
      state: 'failed',
      errorClass: 'configuration',
      errorMessage:
        'The project is linked to github.com/other-team/site, not acme/web',
    });
    expect(provider.calls).toEqual(['check acme/web']);
    expect(announced).toEqual([`failed ${(await preview()).id}`]);
  });

  it('builds nothing for an entity whose claim on the repository is not verified', async () => {
    const provider = new ScriptedProvider();
    const { run, deps, preview, knex } = await setup(provider);
    await run.create(prEvent('opened'));
    await knex('previews').update({ state: 'ready' });
    // The binding is revoked: the entity's location is no longer proof.
    await deps.projects.replaceAll([
      { entityRef: ENTITY, repoSlug: 'acme/web', previewProvider: provider.id },
    ]);
    // A push queued before: nothing happens.
    await run.create(
      prEvent('synchronize', {
        headSha: SHA2,
        updatedAt: '2026-11-26T10:05:00Z',
      }),
    );
    expect(await preview()).toMatchObject({ state: 'ready', headSha: SHA1 });
    // A redeploy: refused, not built.
    const previewId = (await preview()).id;
    await knex.transaction(trx =>
      deps.previews.requeue(trx, previewId, ['ready']),
    );
    await buildPreviewHandler(deps)({
      job: jobOf('build-preview', { previewId }),
      signal: new AbortController().signal,
    });
    expect(await preview()).toMatchObject({
      state: 'failed',
      errorClass: 'configuration',
    });
    expect((await preview()).errorMessage).toMatch(/is not verified/);
    expect(provider.calls).toEqual(['create 1']);
  });

  it('builds whatever head is queued when an approval raced a push', async () => {
    const provider = new ScriptedProvider();
    const { run, deps, preview, knex } = await setup(provider);
    await run.create(prEvent('opened', { fromFork: true }));
    const seen = await preview();
    // A push lands between the approver reading the preview and approving.
    await run.create(
      prEvent('synchronize', {
        fromFork: true,
        headSha: SHA2,
        updatedAt: '2026-11-26T10:05:00Z',
      }),
    );
    const approved = await knex.transaction(trx =>
      deps.previews.requeue(trx, seen.id, ['awaiting-approval'], {
        by: 'user:default/alice',
        sha: seen.headSha,
      }),
    );
    // The approval was of a head that is gone: it does not hold.
    expect(approved).toBe(false);
    expect((await preview()).state).toBe('awaiting-approval');

    // Approved for the current head, a build job queued for the old one
    // still builds what is queued instead of leaving it queued forever.
    await knex.transaction(trx =>
      deps.previews.requeue(trx, seen.id, ['awaiting-approval'], {
        by: 'user:default/alice',
        sha: SHA2,
      }),
    );
    await buildPreviewHandler(deps)({
      job: jobOf('build-preview', { previewId: seen.id, headSha: SHA1 }),
      signal: new AbortController().signal,
    });
    expect(await preview()).toMatchObject({ state: 'building', headSha: SHA2 });
  });

  describe('pushing environment variables', () => {
    const SECRETS = [
      'base-api-value-1f8e',
      'search-api-value-77c2',
      'token-secret-value-9a0d',
      'other-branch-value-5b5b',
      'production-value-c0c0',
      'development-value-d1d1',
      'custom-env-value-e2e2',
    ];

    /** Everything OpsHub wrote or said that a value must never reach. */
    async function everywhere(
      knex: Knex,
      deps: PreviewJobDeps,
    ): Promise<string> {
      const logger = deps.logger as unknown as Record<string, jest.Mock>;
      return JSON.stringify([
        await knex('jobs').select(),
        await knex('previews').select(),
        await knex('preview_env_pushes').select(),
        await knex('deploy_events').select(),
        ['error', 'warn', 'info', 'debug'].map(level => logger[level]?.mock),
      ]);
    }

    async function withVariables(provider: EnvProvider) {
      const env = await setup(provider);
      const { setVar } = env;
      await setVar('preview', 'API_URL', SECRETS[0]);
      await setVar('preview', 'API_URL', SECRETS[1], { branch: 'search' });
      await setVar('preview', 'TOKEN', SECRETS[2], { sensitive: true });
      await setVar('preview', 'OTHER', SECRETS[3], { branch: 'other' });
      await setVar('production', 'PROD_ONLY', SECRETS[4]);
      await setVar('development', 'DEV_ONLY', SECRETS[5]);
      await setVar('staging', 'CUSTOM_ONLY', SECRETS[6]);
      return env;
    }

    it("pushes the branch's preview variables, decrypted, before the build, then updates and removes only what it pushed, and cleans up at teardown", async () => {
      const provider = new EnvProvider();
      const { run, preview, knex, deps } = await withVariables(provider);

      await run.create(prEvent('opened'));
      // The push comes first: the build is built with the variables.
      expect(provider.calls).toEqual(['sync API_URL,TOKEN', 'create 1']);
      expect(provider.syncs[0]).toEqual({
        branch: 'search',
        variables: [
          { name: 'API_URL', value: SECRETS[1], sensitive: false },
          { name: 'TOKEN', value: SECRETS[2], sensitive: true },
        ],
        pushed: [],
      });
      const built = await preview();
      expect(built).toMatchObject({ state: 'building', envVarCount: 2 });
      expect(built.envPushedAt).toBeInstanceOf(Date);
      const recorded = [
        { name: 'API_URL', providerId: 'env1', detail: 'created' },
        { name: 'TOKEN', providerId: 'env2', detail: 'created' },
      ];
      expect(await deps.envPushes.pushed(built.id)).toEqual(recorded);

      // TOKEN is removed in OpsHub; a push builds again: what was recorded
      // is handed back, so the provider removes exactly that one.
      await deps.envVars.delete({
        entityRef: ENTITY,
        environment: 'preview',
        branch: null,
        name: 'TOKEN',
        version: 2,
        actor: 'user:default/alice',
      });
      await run.create(
        prEvent('synchronize', {
          headSha: SHA2,
          updatedAt: '2026-11-26T10:05:00Z',
        }),
      );
      expect(provider.calls.slice(2)).toEqual(['sync API_URL', 'create 2']);
      expect(provider.syncs[1]).toEqual({
        branch: 'search',
        variables: [{ name: 'API_URL', value: SECRETS[1], sensitive: false }],
        pushed: recorded,
      });
      expect(await preview()).toMatchObject({ envVarCount: 1 });
      expect(await deps.envPushes.pushed(built.id)).toEqual([recorded[0]]);

      // Teardown: the deploys go, then everything pushed, and the record.
      await run.teardown(
        prEvent('closed', { headSha: SHA2, updatedAt: '2026-11-26T10:10:00Z' }),
      );
      expect(provider.calls.slice(4)).toEqual([
        'destroy d1',
        'destroy d2',
        'sync ',
      ]);
      expect(provider.syncs[2]).toEqual({
        branch: 'search',
        variables: [],
        pushed: [recorded[0]],
      });
      expect(await knex('preview_env_pushes')).toEqual([]);
      expect(await preview()).toMatchObject({ state: 'destroyed' });

      const written = await everywhere(knex, deps);
      for (const secret of SECRETS) expect(written).not.toContain(secret);
    });

    it('pushes nothing for a fork PR, even once approved', async () => {
      const provider = new EnvProvider();
      const { run, preview, knex, deps } = await withVariables(provider);
      await run.create(prEvent('opened', { fromFork: true }));
      const held = await preview();
      await knex.transaction(trx =>
        deps.previews.requeue(trx, held.id, ['awaiting-approval'], {
          by: 'user:default/alice',
          sha: held.headSha,
        }),
      );
      await buildPreviewHandler(deps)({
        job: jobOf('build-preview', { previewId: held.id }),
        signal: new AbortController().signal,
      });
      expect(provider.calls).toEqual(['create 1']);
      expect(await preview()).toMatchObject({
        state: 'building',
        envVarCount: null,
        envPushedAt: null,
      });
    });

    it("fails the preview as configuration with the provider's refusal, building nothing", async () => {
      const provider = new EnvProvider();
      const { run, preview, knex, deps, announced } = await withVariables(
        provider,
      );
      provider.syncError = new PreviewProviderPermanentError(
        'Vercel refused the variable TOKEN for branch search: invalid key',
        'configuration',
      );
      await expect(run.create(prEvent('opened'))).rejects.toBeInstanceOf(
        JobPermanentError,
      );
      expect(await preview()).toMatchObject({
        state: 'failed',
        errorClass: 'configuration',
        errorMessage:
          'Vercel refused the variable TOKEN for branch search: invalid key',
        envVarCount: null,
      });
      expect(provider.calls).toEqual(['sync API_URL,TOKEN']);
      expect(announced).toEqual([`failed ${(await preview()).id}`]);
      expect(await knex('preview_env_pushes')).toEqual([]);
      const written = await everywhere(knex, deps);
      for (const secret of SECRETS) expect(written).not.toContain(secret);
    });

    it('fails the preview as provider-outage when the last attempt to push fails', async () => {
      const provider = new EnvProvider();
      const { run, preview, knex, deps } = await withVariables(provider);
      provider.syncError = new Error(
        'Vercel answered 503 to POST /v10/projects/prj_web/env',
      );
      await expect(run.create(prEvent('opened'), 4)).rejects.toThrow('503');
      expect((await preview()).state).toBe('queued');
      await expect(run.create(prEvent('opened'), 5)).rejects.toThrow('503');
      expect(await preview()).toMatchObject({
        state: 'failed',
        errorClass: 'provider-outage',
        errorMessage: 'Vercel answered 503 to POST /v10/projects/prj_web/env',
      });
      expect(provider.calls).toEqual([
        'sync API_URL,TOKEN',
        'sync API_URL,TOKEN',
      ]);
      const written = await everywhere(knex, deps);
      for (const secret of SECRETS) expect(written).not.toContain(secret);
    });

    it('builds with none, pushing nothing, without a key or variables', async () => {
      const provider = new EnvProvider();
      const { run, preview, deps } = await setup(provider);
      deps.cipher = testCipher({ configured: false });
      await run.create(prEvent('opened'));
      expect(provider.calls).toEqual(['create 1']);
      expect(await preview()).toMatchObject({
        state: 'building',
        envVarCount: 0,
        envPushedAt: null,
      });
    });

    it('refuses to build with variables it cannot decrypt, naming the variable', async () => {
      const provider = new EnvProvider();
      const { run, preview, deps, setVar } = await setup(provider);
      await setVar('preview', 'TOKEN', SECRETS[2], { sensitive: true });
      deps.cipher = testCipher({ configured: false });
      await expect(run.create(prEvent('opened'))).rejects.toBeInstanceOf(
        JobPermanentError,
      );
      const failed = await preview();
      expect(failed).toMatchObject({
        state: 'failed',
        errorClass: 'configuration',
      });
      expect(failed.errorMessage).toMatch(/TOKEN .*could not be decrypted/);
      expect(provider.calls).toEqual([]);
    });
  });

  it('runs the lifecycle through the queue with the mock provider', async () => {
    const mock = new MockPreviewProvider({
      delayMs: 0,
      failureRate: 0,
      domain: 'preview.test',
    });
    const { deps, queue, preview, knex } = await setup(mock);
    deps.checkIntervalMs = 20;
    registerPreviewJobs(queue, deps);
    queue.start();

    await queue.enqueue(knex, {
      type: 'create-preview',
      payload: prEvent('opened'),
    });
    await waitFor(async () => (await preview())?.state === 'ready', {
      what: 'the preview to be ready',
    });
    expect((await preview()).url).toBe('https://web-pr-7.preview.test');

    await queue.enqueue(knex, {
      type: 'teardown-preview',
      payload: prEvent('closed'),
    });
    await waitFor(async () => (await preview()).state === 'destroyed', {
      what: 'the preview to be destroyed',
    });
    expect((await preview()).closedAs).toBe('closed');
  });
});
