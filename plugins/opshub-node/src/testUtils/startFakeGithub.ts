import {
  type FakeProviderApi,
  startFakeProviderApi,
} from './startFakeProviderApi';

/**
 * GitHub's REST API on loopback, as much of it as OpsHub's write-back and
 * reconcile task call, answering with the documented status codes: statuses
 * (201), a deployment (201, id 42) and its statuses (201), a PR's comments
 * (`existingComments`; a new one gets id 99; edits answer 200) and an empty
 * list of open PRs. Add or replace routes for a test's own answers (a later
 * route wins); every request is recorded.
 *
 * @public
 */
export async function startFakeGithub(
  options: { existingComments?: object[] } = {},
): Promise<FakeProviderApi> {
  const api = await startFakeProviderApi();
  const created = (id: number) => () => ({ status: 201, body: { id } });
  const repo = '/repos/:owner/:repo';
  api.route(`POST ${repo}/statuses/:sha`, created(1));
  api.route(`POST ${repo}/deployments`, created(42));
  api.route(`POST ${repo}/deployments/:id/statuses`, created(5));
  api.route(`GET ${repo}/issues/:number/comments`, () => ({
    body: options.existingComments ?? [],
  }));
  api.route(`POST ${repo}/issues/:number/comments`, created(99));
  api.route(`PATCH ${repo}/issues/comments/:id`, ({ params }) => ({
    body: { id: Number(params.id) },
  }));
  api.route(`GET ${repo}/pulls`, () => ({ body: [] }));
  return api;
}
