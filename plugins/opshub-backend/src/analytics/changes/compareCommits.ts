import type { GithubClientFor } from '../../github/githubClients';
import { isGithubRefusal } from './githubRefusal';

/** The commits between two heads, as GitHub's compare API gives them. */
export type ComparedCommits =
  | { status: 'resolved'; shas: string[]; truncated: boolean }
  | { status: 'unavailable' };

const PER_PAGE = 100;

/**
 * The commits in `head` and not in `base` (`git log base..head`), read
 * page by page until all `total_commits` are read or `maxCommits` are
 * (then `truncated`). A refusal (404: e.g. a base force-pushed away)
 * makes them unavailable; a server or network error throws.
 */
export async function compareCommits(
  clientFor: GithubClientFor,
  repository: string,
  range: { base: string; head: string },
  maxCommits: number,
): Promise<ComparedCommits> {
  const [owner, repo] = repository.split('/');
  const shas: string[] = [];
  let total = Infinity;
  try {
    const octokit = await clientFor(repository);
    for (let page = 1; shas.length < Math.min(total, maxCommits); page++) {
      const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
        owner,
        repo,
        basehead: `${range.base}...${range.head}`,
        per_page: PER_PAGE,
        page,
      });
      total = data.total_commits;
      if (data.commits.length === 0) break;
      shas.push(...data.commits.map(commit => commit.sha));
    }
  } catch (error) {
    if (isGithubRefusal(error)) return { status: 'unavailable' };
    throw error;
  }
  const read = [...new Set(shas)].slice(0, maxCommits);
  return {
    status: 'resolved',
    shas: read,
    truncated: total > read.length,
  };
}
