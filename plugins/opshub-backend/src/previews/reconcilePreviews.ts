import { isOpenPreviewState } from '@opshub/plugin-opshub-common';
import type { Knex } from 'knex';
import type { GithubClientFor } from '../github/githubClients';
import type { ProjectStore, TrackedProject } from '../projects/ProjectStore';
import type { EnqueueRequest, JobEnqueuer } from '../queue/types';
import { planDelivery } from '../webhooks/planDelivery';
import type { PreviewStore } from './PreviewStore';

const PAGE = 200;

/**
 * The reconcile task (scheduler): repairs only what missing webhooks left
 * behind. For each entity with a preview provider: an open PR OpsHub never
 * saw, or one reopened while its preview stayed torn down by the close, is
 * queued as its `reopened` event would be; a live preview whose PR closed is
 * torn down. A preview a user destroyed or the TTL expired stays down (jobs
 * coalesce with any event still waiting for the same PR). Projects whose
 * repository binding is not verified are skipped: OpsHub neither reads
 * their repository nor starts anything for them.
 */
export async function reconcilePreviews(deps: {
  knex: Knex;
  projects: ProjectStore;
  previews: PreviewStore;
  queue: JobEnqueuer;
  clientFor: GithubClientFor;
}): Promise<{ queued: number; tornDown: number }> {
  const counts = { queued: 0, tornDown: 0 };
  for (let after: string | undefined; ; ) {
    const page = await deps.projects.list({ limit: PAGE, after });
    for (const project of page) {
      if (!project.previewProvider || !project.verifiedBy) continue;
      const { queued, tornDown } = await reconcileProject(deps, project);
      counts.queued += queued;
      counts.tornDown += tornDown;
    }
    if (page.length < PAGE) return counts;
    after = page[page.length - 1].entityRef;
  }
}

async function reconcileProject(
  deps: Parameters<typeof reconcilePreviews>[0],
  project: TrackedProject,
) {
  const [owner, repo] = project.repoSlug.split('/');
  const octokit = await deps.clientFor(project.repoSlug);
  const open = await octokit.paginate(octokit.pulls.list, {
    owner,
    repo,
    state: 'open',
    per_page: 100,
  });
  const openNumbers = new Set(open.map(pr => pr.number));
  const previews = await deps.previews.list(project.entityRef, 1000);
  const byPr = new Map(previews.map(p => [p.prNumber, p]));
  const missed = (prNumber: number) => {
    const preview = byPr.get(prNumber);
    return (
      !preview ||
      (preview.teardownReason === 'pr-closed' &&
        !isOpenPreviewState(preview.state))
    );
  };

  const requests: EnqueueRequest[] = [];
  for (const pr of open.filter(p => missed(p.number))) {
    requests.push(...planned(project, 'reopened', pr));
  }
  const live = previews.filter(p => isOpenPreviewState(p.state));
  for (const preview of live.filter(p => !openNumbers.has(p.prNumber))) {
    const { data: pr } = await octokit.pulls.get({
      owner,
      repo,
      pull_number: preview.prNumber,
    });
    if (pr.state === 'closed') requests.push(...planned(project, 'closed', pr));
  }
  if (requests.length > 0) {
    await deps.knex.transaction(async trx => {
      for (const request of requests) await deps.queue.enqueue(trx, request);
    });
  }
  const tornDown = requests.filter(r => r.type === 'teardown-preview').length;
  return { queued: requests.length - tornDown, tornDown };
}

/** The jobs GitHub's webhook for `action` on this PR would have queued. */
function planned(project: TrackedProject, action: string, pr: object) {
  const plan = planDelivery(`reconcile-${Date.now()}`, 'pull_request', {
    action,
    pull_request: pr,
    repository: { full_name: project.repoSlug },
  });
  return plan.jobsFor([project.entityRef]);
}
