import type { FakeProviderApi } from '@opshub/plugin-opshub-node/testUtils';

/**
 * The fake GitHub's pull requests as OpsHub's reconcile task reads them
 * (`GET …/pulls?state=open`, `GET …/pulls/:number`): each PR as its last
 * delivery described it, closed once its `closed` event was sent. Without
 * them the task would see no open PR and tear every preview down.
 */
export function servePullRequests(api: FakeProviderApi) {
  const byRepository = new Map<string, Map<number, Record<string, unknown>>>();
  const repo = '/repos/:owner/:repo';
  const of = (params: Record<string, string>) =>
    byRepository.get(`${params.owner}/${params.repo}`.toLowerCase()) ??
    new Map();
  api.route(`GET ${repo}/pulls`, ({ params, query }) => ({
    body: [...of(params).values()].filter(
      pr => (query.get('state') ?? 'open') === 'all' || pr.state === 'open',
    ),
  }));
  api.route(`GET ${repo}/pulls/:number`, ({ params }) => {
    const pr = of(params).get(Number(params.number));
    return pr ? { body: pr } : { status: 404, body: { message: 'Not Found' } };
  });
  return {
    /** A delivery was sent: its PR reads as the delivery says. */
    delivered(body: string) {
      const { action, pull_request: pr, repository } = JSON.parse(body);
      const key = String(repository.full_name).toLowerCase();
      const prs = byRepository.get(key) ?? new Map();
      byRepository.set(key, prs);
      prs.set(pr.number, {
        ...pr,
        state: action === 'closed' ? 'closed' : 'open',
      });
    },
  };
}
