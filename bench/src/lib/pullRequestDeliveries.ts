import examples from '@octokit/webhooks-examples';
import { createHash, createHmac } from 'node:crypto';

/** The webhook secret of the benches' backend configs. */
export const BENCH_WEBHOOK_SECRET = 'opshub-bench-webhook-secret';

export interface PullRequestEvent {
  action: string;
  number: number;
  headSha: string;
  /** `owner/name`. */
  repository: string;
  /** Default: `bench-<action>-<number>-<headSha>`. */
  deliveryId?: string;
  /** The PR's `updated_at` (ISO), which orders its events; default now. */
  updatedAt?: string;
}

/** A signed `pull_request` delivery of GitHub's own example payload. */
export function pullRequestDelivery(
  event: PullRequestEvent,
  secret = BENCH_WEBHOOK_SECRET,
): { body: string; headers: Record<string, string> } {
  const opened = (
    examples.find(e => e.name === 'pull_request')!.examples as any[]
  ).find(e => e.action === 'opened');
  const { action, number, headSha } = event;
  const [owner, name] = event.repository.split('/');
  const body = JSON.stringify({
    ...opened,
    action,
    number,
    pull_request: {
      ...opened.pull_request,
      number,
      updated_at: event.updatedAt ?? new Date().toISOString(),
      head: { ...opened.pull_request.head, sha: headSha, ref: `pr-${number}` },
    },
    repository: {
      ...opened.repository,
      name,
      full_name: event.repository,
      owner: { ...opened.repository.owner, login: owner },
    },
  });
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'pull_request',
      'x-github-delivery':
        event.deliveryId ?? `bench-${action}-${number}-${headSha}`,
      'x-hub-signature-256': `sha256=${createHmac('sha256', secret)
        .update(body)
        .digest('hex')}`,
    },
  };
}

/** POSTs a delivery to a backend's webhook route; fails unless 202. */
export async function deliverPullRequest(
  backendUrl: string,
  event: PullRequestEvent,
): Promise<{ outcome: string }> {
  const { status, answer } = await postDelivery(
    backendUrl,
    pullRequestDelivery(event),
  );
  if (status !== 202) {
    throw new Error(`delivery answered ${status}: ${JSON.stringify(answer)}`);
  }
  return answer as { outcome: string };
}

/** POSTs a delivery as built (the same one again: a redelivery). */
export async function postDelivery(
  backendUrl: string,
  delivery: { body: string; headers: Record<string, string> },
): Promise<{ status: number; answer: unknown }> {
  const response = await fetch(`${backendUrl}/api/opshub/webhooks/github`, {
    method: 'POST',
    ...delivery,
  });
  return { status: response.status, answer: await response.json() };
}

/** A head sha of its own per run and PR. */
export const headShaOf = (run: string, number: number) =>
  createHash('sha1').update(`${run}-${number}`).digest('hex');
