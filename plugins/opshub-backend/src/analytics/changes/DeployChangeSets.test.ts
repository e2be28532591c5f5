import type { Knex } from 'knex';
import { migrateUp } from '../../database/migrations';
import { createTestDatabases } from '../../__testUtils__/databases';
import {
  fakeGithubApis,
  routeCompare,
  shaOf,
} from './__testUtils__/fakeGithubApi';
import {
  changeSetOf,
  ENTITY,
  githubDeploys,
} from './__testUtils__/githubDeploys';
import { DeployChangeSets } from './DeployChangeSets';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const startGithub = fakeGithubApis();
const COMPARE = 'GET /repos/:owner/:repo/compare/:basehead';
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => shaOf(from + i));

describe.each(databases.eachSupportedId())('DeployChangeSets on %s', id => {
  let knex: Knex;
  beforeAll(async () => {
    knex = await databases.init(id);
    await migrateUp(knex);
  });
  beforeEach(async () => {
    await knex('deploy_events').delete();
    await knex('merged_pull_requests').delete();
  });

  async function setup(
    options: { maxCommits?: number; history?: number } = {},
  ) {
    const { api, clientFor } = await startGithub();
    routeCompare(api, options.history ?? 3000);
    const changeSets = new DeployChangeSets(knex, clientFor, options);
    return { api, changeSets, deploy: githubDeploys(knex) };
  }

  it('has nothing to compare the first deploy with', async () => {
    const { api, changeSets, deploy } = await setup();
    const first = await deploy(1, shaOf(10), 60);
    await expect(changeSets.update(first)).resolves.toBe('first');
    expect(await changeSetOf(knex, first)).toEqual({
      entity_ref: ENTITY,
      base_sha: null,
      head_sha: shaOf(10),
      status: 'first',
      commit_count: 0,
      truncated: false,
      commits: [],
    });
    expect(api.requests).toEqual([]);
  });

  it('stores the commits between the previous deploy and this one, direct pushes that match no PR included', async () => {
    const { api, changeSets, deploy } = await setup();
    await deploy(1, shaOf(10), 60);
    // A failed deploy in between is no base.
    await deploy(2, shaOf(11), 90, 'failure');
    const second = await deploy(3, shaOf(13), 120);
    await knex('merged_pull_requests').insert({
      entity_ref: ENTITY,
      repository: 'acme/web',
      pr_number: 5,
      merge_commit_sha: shaOf(12),
      merged_at: new Date('2026-11-30T09:00:00Z'),
      commits_status: 'unavailable',
      updated_at: new Date(),
    });
    await expect(changeSets.update(second)).resolves.toBe('resolved');
    expect(await changeSetOf(knex, second)).toEqual({
      entity_ref: ENTITY,
      base_sha: shaOf(10),
      head_sha: shaOf(13),
      status: 'resolved',
      commit_count: 3,
      truncated: false,
      // 11 and 13 were pushed directly: no PR merged them.
      commits: range(11, 13),
    });
    expect(
      api.requests.map(r => [
        r.path,
        r.query.get('per_page'),
        r.query.get('page'),
        r.headers.authorization,
      ]),
    ).toEqual([
      [
        `/repos/acme/web/compare/${shaOf(10)}...${shaOf(13)}`,
        '100',
        '1',
        'token ghp_test',
      ],
    ]);
  });

  it('reads every page of a long compare', async () => {
    const { api, changeSets, deploy } = await setup();
    await deploy(1, shaOf(0), 60);
    const second = await deploy(2, shaOf(150), 120);
    await changeSets.update(second);
    expect(await changeSetOf(knex, second)).toMatchObject({
      commit_count: 150,
      truncated: false,
      commits: range(1, 150),
    });
    expect(api.requests.map(r => r.query.get('page'))).toEqual(['1', '2']);
  });

  it('stops at the cap and marks the change set truncated', async () => {
    const { api, changeSets, deploy } = await setup({ maxCommits: 200 });
    await deploy(1, shaOf(0), 60);
    const second = await deploy(2, shaOf(2500), 120);
    await changeSets.update(second);
    expect(await changeSetOf(knex, second)).toMatchObject({
      status: 'resolved',
      commit_count: 200,
      truncated: true,
      commits: range(1, 200),
    });
    expect(api.requests.map(r => r.query.get('page'))).toEqual(['1', '2']);
  });

  it('resolves a redeploy of the same head to no commits without asking GitHub', async () => {
    const { api, changeSets, deploy } = await setup();
    await deploy(1, shaOf(10), 60);
    const again = await deploy(2, shaOf(10), 120);
    await changeSets.update(again);
    expect(await changeSetOf(knex, again)).toMatchObject({
      base_sha: shaOf(10),
      status: 'resolved',
      commit_count: 0,
    });
    expect(api.requests).toEqual([]);
  });

  it('marks a change set GitHub cannot compare (a base force-pushed away: 404) unavailable, replacing the commits it had', async () => {
    const { changeSets, deploy } = await setup({ history: 20 });
    await deploy(1, shaOf(10), 60);
    const second = await deploy(2, shaOf(12), 120);
    await changeSets.update(second);
    expect(await changeSetOf(knex, second)).toMatchObject({ commit_count: 2 });
    await knex('deploy_events')
      .where({ deployment_id: '1' })
      .update({ head_sha: 'f'.repeat(40) });
    await expect(changeSets.update(second)).resolves.toBe('unavailable');
    expect(await changeSetOf(knex, second)).toMatchObject({
      base_sha: 'f'.repeat(40),
      status: 'unavailable',
      commit_count: 0,
      commits: [],
    });
  });

  it('throws on a server error so that the queue retries', async () => {
    const { api, changeSets, deploy } = await setup();
    await deploy(1, shaOf(10), 60);
    const second = await deploy(2, shaOf(12), 120);
    api.answerOnce(COMPARE, { status: 503, body: { message: 'Unavailable' } });
    await expect(changeSets.update(second)).rejects.toMatchObject({
      status: 503,
    });
    expect(await changeSetOf(knex, second)).toBeUndefined();
  });

  it('drops the change set of a deploy that is no longer a succeeded one', async () => {
    const { changeSets, deploy } = await setup();
    await deploy(1, shaOf(10), 60);
    const second = await deploy(2, shaOf(12), 120);
    await changeSets.update(second);
    // Set inactive before its success: it never went live.
    await deploy(2, shaOf(12), 100, 'inactive');
    await expect(changeSets.update(second)).resolves.toBeUndefined();
    expect(await changeSetOf(knex, second)).toBeUndefined();
    expect(await knex('deploy_commits').select('sha')).toEqual([]);
  });

  it('loses the rows of a deploy with the deploy (retention)', async () => {
    const { changeSets, deploy } = await setup();
    const first = await deploy(1, shaOf(10), 60);
    const second = await deploy(2, shaOf(12), 120);
    await changeSets.update(first);
    await changeSets.update(second);
    await knex('deploy_events').where({ id: second }).delete();
    expect(await knex('deploy_commits').select('sha')).toEqual([]);
    expect(await knex('deploy_change_sets').pluck('deploy_event_id')).toEqual([
      expect.anything(),
    ]);
    expect(await changeSetOf(knex, first)).toMatchObject({ status: 'first' });
  });
});
