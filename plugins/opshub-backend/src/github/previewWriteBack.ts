import { createHash } from 'node:crypto';
import type { Preview, PreviewStore } from '../previews/PreviewStore';
import type { ProjectStore } from '../projects/ProjectStore';
import type { JobHandler } from '../queue/types';
import type { GithubClientFor } from './githubClients';
import { githubJobError } from './githubJobError';
import type { GithubWriteRecords } from './GithubWriteRecords';
import type { WritePacer } from './WritePacer';

export const GITHUB_PREVIEW_SYNC = 'github-preview-sync';
export const STATUS_CONTEXT = 'opshub/preview';

export interface GithubPreviewSyncPayload {
  [key: string]: unknown;
  previewId: string;
}

type CommitState = 'pending' | 'success' | 'failure';
type DeploymentState = 'in_progress' | 'success' | 'failure' | 'inactive';

/**
 * Queued and building read the same on GitHub (one pending status, one
 * comment text): a preview that goes queued, building, ready costs at most
 * eight requests (two statuses, a Deployment and two of its statuses, a
 * comment lookup, create and one edit).
 */
const IN_PROGRESS = {
  state: 'pending',
  description: 'Building the preview',
} as const;

/** The commit status a preview's head should carry, if any. */
function commitStatus(
  p: Preview,
):
  | { state: CommitState; description: string; target_url?: string }
  | undefined {
  switch (p.state) {
    case 'queued':
    case 'building':
      return IN_PROGRESS;
    case 'awaiting-approval':
      return {
        state: 'pending',
        description: "Waiting for a maintainer to approve this fork's preview",
      };
    case 'ready':
      return {
        state: 'success',
        description: 'Preview ready',
        target_url: p.url ?? undefined,
      };
    case 'failed':
      return {
        state: 'failure',
        description: `Preview failed (${p.errorClass ?? 'unknown'})`,
      };
    default:
      return undefined; // torn down: the last status stays
  }
}

/** The state the head's GitHub Deployment should be in, if it has one. */
function deploymentState(p: Preview): DeploymentState | undefined {
  switch (p.state) {
    case 'building':
      return 'in_progress';
    case 'ready':
      return 'success';
    case 'failed':
      return 'failure';
    case 'destroying':
    case 'destroyed':
    case 'expired':
      return 'inactive';
    default:
      return undefined;
  }
}

/** The hidden marker that finds OpsHub's comment for an entity on a PR. */
export const commentMarker = (entityRef: string) =>
  `<!-- opshub:preview ${entityRef} -->`;

function commentBody(p: Preview): string {
  const lines = [
    commentMarker(p.entityRef),
    `**OpsHub preview** for \`${p.entityRef}\`: **${
      p.state === 'queued' ? 'building' : p.state
    }**`,
    '',
    `- Commit: ${p.headSha.slice(0, 7)}`,
  ];
  if (p.state === 'ready' && p.url) lines.push(`- Preview: ${p.url}`);
  if (p.state === 'failed') {
    lines.push(
      p.errorClass === 'quota'
        ? `- No preview: ${p.errorMessage}`
        : `- Build failed (${p.errorClass ?? 'unknown'})`,
    );
  }
  if (p.state === 'awaiting-approval') {
    lines.push(
      "- This PR comes from a fork: a maintainer approves its preview in OpsHub (the entity's Previews tab).",
    );
  }
  if (['queued', 'building', 'ready', 'failed'].includes(p.state)) {
    lines.push(`- Expires: ${p.expiresAt.toISOString().slice(0, 10)}`);
  }
  if (p.state === 'destroyed' || p.state === 'expired') {
    lines.push('- The preview was torn down.');
  }
  return lines.join('\n');
}

/**
 * github-preview-sync: brings GitHub in line with a preview's current state:
 * the `opshub/preview` commit status on its head, a Deployment for the
 * environment `preview/pr-<n>` with its status (inactive once torn down),
 * and one PR comment, found by a hidden marker and edited in place. What was
 * written last is recorded, so nothing identical is written twice; every
 * write waits its turn at the pacer. Nothing at all is written unless the
 * preview's entity is a tracked project whose binding to the preview's
 * repository is verified: OpsHub never writes into a repository on an
 * entity's unproven word. A rate-limited call is retried after GitHub's
 * reset (githubJobError).
 */
export function githubPreviewSyncHandler(deps: {
  previews: PreviewStore;
  projects: Pick<ProjectStore, 'getProject'>;
  records: GithubWriteRecords;
  clientFor: GithubClientFor;
  pacer: WritePacer;
}): JobHandler<GithubPreviewSyncPayload> {
  const sync = syncPreview(deps);
  return async context => {
    try {
      return await sync(context);
    } catch (error) {
      throw githubJobError(error);
    }
  };
}

function syncPreview(
  deps: Parameters<typeof githubPreviewSyncHandler>[0],
): JobHandler<GithubPreviewSyncPayload> {
  return async ({ job }) => {
    const p = await deps.previews.get(job.payload.previewId);
    if (!p) return;
    const project = await deps.projects.getProject(p.entityRef);
    if (
      !project?.verifiedBy ||
      project.repoSlug !== p.repository.toLocaleLowerCase('en-US')
    ) {
      return;
    }
    const [owner, repo] = p.repository.split('/');
    const octokit = await deps.clientFor(p.repository);
    let record = await deps.records.get(p.id);
    const save = async (written: Partial<typeof record>) => {
      await deps.records.save(p.id, written);
      record = { ...record, ...written };
    };

    const status = commitStatus(p);
    const statusKey =
      status &&
      [
        p.headSha,
        status.state,
        status.target_url ?? '',
        status.description,
      ].join('|');
    if (status && statusKey !== record.statusKey) {
      await deps.pacer.turn();
      await octokit.repos.createCommitStatus({
        owner,
        repo,
        sha: p.headSha,
        context: STATUS_CONTEXT,
        ...status,
      });
      await save({ statusKey });
    }

    const wanted = deploymentState(p);
    if (wanted) {
      if (wanted !== 'inactive' && record.deploymentSha !== p.headSha) {
        await deps.pacer.turn();
        const { data } = await octokit.repos.createDeployment({
          owner,
          repo,
          ref: p.headSha,
          environment: `preview/pr-${p.prNumber}`,
          description: `OpsHub preview of ${p.entityRef}`,
          transient_environment: true,
          production_environment: false,
          auto_merge: false,
          required_contexts: [],
        });
        if (!('id' in data)) {
          throw new Error(
            `GitHub did not create a deployment: ${data.message}`,
          );
        }
        await save({
          deploymentId: data.id,
          deploymentSha: p.headSha,
          deploymentState: null,
        });
      }
      if (record.deploymentId !== null && record.deploymentState !== wanted) {
        await deps.pacer.turn();
        await octokit.repos.createDeploymentStatus({
          owner,
          repo,
          deployment_id: record.deploymentId,
          state: wanted,
          ...(wanted === 'success' && p.url ? { environment_url: p.url } : {}),
        });
        await save({ deploymentState: wanted });
      }
    }

    const body = commentBody(p);
    const commentKey = createHash('sha256').update(body).digest('hex');
    if (commentKey !== record.commentKey) {
      const commentId =
        record.commentId ?? (await findComment(octokit, owner, repo, p));
      await deps.pacer.turn();
      if (commentId) {
        await octokit.issues.updateComment({
          owner,
          repo,
          comment_id: commentId,
          body,
        });
        await save({ commentId, commentKey });
      } else {
        const { data } = await octokit.issues.createComment({
          owner,
          repo,
          issue_number: p.prNumber,
          body,
        });
        await save({ commentId: data.id, commentKey });
      }
    }
  };
}

/** OpsHub's comment for this entity on the PR, if an earlier run made one. */
async function findComment(
  octokit: Awaited<ReturnType<GithubClientFor>>,
  owner: string,
  repo: string,
  p: Preview,
): Promise<number | undefined> {
  const marker = commentMarker(p.entityRef);
  for await (const { data } of octokit.paginate.iterator(
    octokit.issues.listComments,
    { owner, repo, issue_number: p.prNumber, per_page: 100 },
  )) {
    const found = data.find(comment => comment.body?.startsWith(marker));
    if (found) return found.id;
  }
  return undefined;
}
