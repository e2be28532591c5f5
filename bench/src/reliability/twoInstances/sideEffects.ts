import type { RecordingGithub } from '../../lib/recordingGithub';
import { tally } from '../previewWorld/worldCounts';
import type { PullRequestEnd } from './eventMix';

/** Slack messages as the fake saw them (its `seen`). */
type SlackMessage = { form: Record<string, string> };

/** How often each side effect happened, by the key it should be unique to. */
export function countSideEffects(
  github: RecordingGithub,
  slack: SlackMessage[],
): Map<string, number> {
  const keys: string[] = [];
  const add = (key: string) => keys.push(key);
  for (const request of github.api.requests) {
    if (request.method !== 'POST') continue;
    const { kind, pr } = github.classify(request);
    const body = request.body as Record<string, string>;
    if (kind === 'statuses') {
      add(`status ${body.state} ${body.context} of head ${request.params.sha}`);
    } else if (kind === 'deployments') {
      add(`Deployment of head ${body.ref}`);
    } else if (kind === 'deployment statuses') {
      add(`${body.state} status of Deployment ${request.params.id}`);
    } else if (kind === 'comment creates') {
      add(`comment created on PR ${pr}`);
    }
  }
  for (const { form } of slack) {
    // `Preview of r8-3 #10042 is ready: …`; the context names the head.
    const what = /#(\d+) (is ready|failed|was torn down)/.exec(form.text);
    const head = / · ([0-9a-f]{7}) · /.exec(form.blocks ?? '');
    add(`Slack "${what?.[2]}" of PR ${what?.[1]} at head ${head?.[1]}`);
  }
  return tally(keys);
}

/**
 * The side effects every open PR must have left once its preview settled:
 * its last head one Deployment and one success status, one comment, one
 * Slack message that it is ready. (A closed PR may have none: its events
 * can coalesce into the teardown before any build started.)
 */
export function requiredSideEffects(
  pullRequests: Iterable<PullRequestEnd>,
): string[] {
  return [...pullRequests]
    .filter(pr => pr.open)
    .flatMap(pr => [
      `Deployment of head ${pr.headSha}`,
      `status success opshub/preview of head ${pr.headSha}`,
      `comment created on PR ${pr.number}`,
      `Slack "is ready" of PR ${pr.number} at head ${pr.headSha.slice(0, 7)}`,
    ]);
}
