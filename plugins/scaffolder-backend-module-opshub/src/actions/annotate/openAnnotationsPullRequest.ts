import type { LoggerService } from '@backstage/backend-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import type { ActionContext } from '@backstage/plugin-scaffolder-node';
import type { Octokit } from '@octokit/rest';
import { setEntityAnnotations } from './setEntityAnnotations';

type Checkpoint = ActionContext<{}>['checkpoint'];

export interface AnnotationsPullRequestOptions {
  octokit: Octokit;
  /** The task's checkpoint: a retried task repeats no write. */
  checkpoint: Checkpoint;
  logger: Pick<LoggerService, 'info'>;
  repository: string;
  filePath: string;
  /** The base branch; the repository's default branch when unset. */
  base?: string;
  entity: CompoundEntityRef;
  annotations: Record<string, string>;
}

export interface AnnotationsPullRequestResult {
  changed: boolean;
  pullRequest?: { url: string; number: number };
}

/**
 * Reads the catalog file on the base branch and, when the annotations
 * change it, commits the edit to `opshub/onboard-<entity name>` (created
 * from the base, or reused when it exists) and opens a pull request from it
 * (or returns the open one). Each write is its own checkpoint.
 */
export async function openAnnotationsPullRequest(
  options: AnnotationsPullRequestOptions,
): Promise<AnnotationsPullRequestResult> {
  const { octokit, checkpoint, repository, filePath, entity } = options;
  const [owner, repo] = repository.split('/');
  const base =
    options.base ??
    (await octokit.rest.repos.get({ owner, repo })).data.default_branch;
  const current = await readFile(octokit, {
    owner,
    repo,
    path: filePath,
    ref: base,
  });
  const edit = setEntityAnnotations(current.text, entity, options.annotations);
  if (!edit.changed) {
    options.logger.info(
      `${filePath} on ${repository}@${base} already has the annotations; no pull request`,
    );
    return { changed: false };
  }

  const branch = `opshub/onboard-${entity.name}`;
  const key = `opshub.catalog.annotate.${repository}.${branch}`;
  await checkpoint({
    key: `${key}.branch`,
    fn: () => createBranch(octokit, { owner, repo, base, branch }),
  });
  await checkpoint({
    key: `${key}.file`,
    fn: async () => {
      const onBranch = await readFile(octokit, {
        owner,
        repo,
        path: filePath,
        ref: branch,
      });
      if (onBranch.text === edit.text) return;
      await octokit.rest.repos.createOrUpdateFileContents({
        owner,
        repo,
        path: filePath,
        branch,
        sha: onBranch.sha,
        message: `Add OpsHub's annotations to ${entity.name}`,
        content: Buffer.from(edit.text, 'utf8').toString('base64'),
      });
    },
  });
  const pullRequest = await checkpoint({
    key: `${key}.pull`,
    fn: () =>
      openPullRequest(octokit, {
        owner,
        repo,
        base,
        branch,
        title: `Connect ${entity.name} to OpsHub`,
        body: pullRequestBody(filePath, options.annotations),
      }),
  });
  options.logger.info(
    `Pull request ${pullRequest.url} sets OpsHub's annotations`,
  );
  return { changed: true, pullRequest };
}

async function readFile(
  octokit: Octokit,
  params: { owner: string; repo: string; path: string; ref: string },
) {
  const { data } = await octokit.rest.repos.getContent(params);
  if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) {
    throw new InputError(`${params.path} is not a file on ${params.ref}`);
  }
  return {
    text: Buffer.from(data.content, 'base64').toString('utf8'),
    sha: data.sha,
  };
}

async function createBranch(
  octokit: Octokit,
  {
    owner,
    repo,
    base,
    branch,
  }: { owner: string; repo: string; base: string; branch: string },
) {
  const { data } = await octokit.rest.git.getRef({
    owner,
    repo,
    ref: `heads/${base}`,
  });
  try {
    await octokit.rest.git.createRef({
      owner,
      repo,
      ref: `refs/heads/${branch}`,
      sha: data.object.sha,
    });
  } catch (error) {
    // 422: the branch exists (an earlier run made it); the file step reuses it.
    if ((error as { status?: number }).status !== 422) throw error;
  }
}

async function openPullRequest(
  octokit: Octokit,
  params: {
    owner: string;
    repo: string;
    base: string;
    branch: string;
    title: string;
    body: string;
  },
) {
  const { owner, repo, base, branch, title, body } = params;
  const open = await octokit.rest.pulls.list({
    owner,
    repo,
    head: `${owner}:${branch}`,
    base,
    state: 'open',
  });
  const pull =
    open.data[0] ??
    (
      await octokit.rest.pulls.create({
        owner,
        repo,
        base,
        head: branch,
        title,
        body,
      })
    ).data;
  return { url: pull.html_url, number: pull.number };
}

function pullRequestBody(
  filePath: string,
  annotations: Record<string, string>,
) {
  const lines = Object.entries(annotations).map(
    ([k, v]) => `- \`${k}\`: \`${v}\``,
  );
  return [`Sets OpsHub's annotations in \`${filePath}\`:`, '', ...lines].join(
    '\n',
  );
}
