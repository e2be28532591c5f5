import {
  type FakeApiRequest,
  type FakeApiRoute,
  startFakeGithub,
} from '@opshub/plugin-opshub-node/testUtils';
import { performance } from 'node:perf_hooks';

/** The kinds of GitHub request OpsHub makes for a PR. */
export const KINDS = [
  'statuses',
  'deployments',
  'deployment statuses',
  'comment creates',
  'comment updates',
  'comment lists',
] as const;
export type Kind = (typeof KINDS)[number] | 'other';

/**
 * The fake GitHub of OpsHub's tests, with Deployments and comments kept as
 * GitHub keeps them (ids of their own; a PR's comments list what was
 * created on it, edits included), so a second look finds the first write.
 * Records when each head's success status arrives, and which PR each
 * request was for. With `holdMs`, each answer about a PR waits that long
 * and `mostInFlight` keeps the most requests of one PR that were in flight
 * at once: OpsHub writes a PR's GitHub state one request after the other,
 * so more than one means two workers were at it together.
 */
export async function startRecordingGithub(options: { holdMs?: number } = {}) {
  const api = await startFakeGithub();
  const succeededAt = new Map<string, number>();
  /** Heads the bench opened, by sha. */
  const prOfSha = new Map<string, number>();
  const prOfDeployment = new Map<number, number>();
  const prOfComment = new Map<number, number>();
  /** The kind of a request, and the PR it was for (if it names one). */
  const classify = (r: FakeApiRequest): { kind: Kind; pr?: number } => {
    const path = r.path.split('/').slice(4).join('/');
    const id = Number(r.params.id);
    if (r.method === 'POST' && path.startsWith('statuses/')) {
      return { kind: 'statuses', pr: prOfSha.get(r.params.sha) };
    }
    if (r.method === 'POST' && path === 'deployments') {
      return { kind: 'deployments', pr: prOfEnvironment(r.body) };
    }
    if (r.method === 'POST' && /^deployments\/\d+\/statuses$/.test(path)) {
      return { kind: 'deployment statuses', pr: prOfDeployment.get(id) };
    }
    if (/^issues\/\d+\/comments$/.test(path)) {
      const pr = Number(r.params.number);
      if (r.method === 'GET') return { kind: 'comment lists', pr };
      if (r.method === 'POST') return { kind: 'comment creates', pr };
    }
    if (r.method === 'PATCH' && /^issues\/comments\/\d+$/.test(path)) {
      return { kind: 'comment updates', pr: prOfComment.get(id) };
    }
    return { kind: 'other' };
  };
  const inFlight = new Map<number, number>();
  const mostInFlight = new Map<number, number>();
  const held =
    (answer: FakeApiRoute): FakeApiRoute =>
    async request => {
      const { pr } = classify(request);
      if (pr === undefined) return answer(request);
      const now = (inFlight.get(pr) ?? 0) + 1;
      inFlight.set(pr, now);
      mostInFlight.set(pr, Math.max(now, mostInFlight.get(pr) ?? 0));
      try {
        await new Promise(resolve => setTimeout(resolve, options.holdMs));
        return await answer(request);
      } finally {
        inFlight.set(pr, inFlight.get(pr)! - 1);
      }
    };
  const route = (pattern: string, answer: FakeApiRoute) =>
    api.route(pattern, options.holdMs ? held(answer) : answer);
  const comments = new Map<number, Array<{ id: number; body: string }>>();
  let lastId = 1000;
  const repo = '/repos/:owner/:repo';

  route(`POST ${repo}/statuses/:sha`, ({ params, body }) => {
    const status = body as { state: string; context: string };
    if (status.context === 'opshub/preview' && status.state === 'success') {
      succeededAt.set(params.sha, performance.now());
    }
    return { status: 201, body: { id: (lastId += 1) } };
  });
  route(`POST ${repo}/deployments`, ({ body }) => {
    const id = (lastId += 1);
    const pr = prOfEnvironment(body);
    if (pr !== undefined) prOfDeployment.set(id, pr);
    return { status: 201, body: { id } };
  });
  route(`POST ${repo}/deployments/:id/statuses`, () => ({
    status: 201,
    body: { id: (lastId += 1) },
  }));
  route(`GET ${repo}/issues/:number/comments`, ({ params }) => ({
    body: comments.get(Number(params.number)) ?? [],
  }));
  route(`POST ${repo}/issues/:number/comments`, ({ params, body }) => {
    const pr = Number(params.number);
    const comment = { id: (lastId += 1), body: (body as any).body };
    comments.set(pr, [...(comments.get(pr) ?? []), comment]);
    prOfComment.set(comment.id, pr);
    return { status: 201, body: comment };
  });
  route(`PATCH ${repo}/issues/comments/:id`, ({ params, body }) => {
    const id = Number(params.id);
    const pr = prOfComment.get(id);
    const comment = pr && comments.get(pr)?.find(c => c.id === id);
    if (!comment) return { status: 404, body: { message: 'Not Found' } };
    comment.body = (body as any).body;
    return { body: comment };
  });

  return { api, succeededAt, prOfSha, classify, mostInFlight };
}

export type RecordingGithub = Awaited<ReturnType<typeof startRecordingGithub>>;

/** The PR of a Deployment's environment, `preview/pr-<n>`. */
function prOfEnvironment(body: unknown): number | undefined {
  const environment = (body as { environment?: string })?.environment ?? '';
  const match = /^preview\/pr-(\d+)$/.exec(environment);
  return match ? Number(match[1]) : undefined;
}

/** JSON with sorted keys: two bodies alike print alike. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map(
        key =>
          `${JSON.stringify(key)}:${canonical(
            (value as Record<string, unknown>)[key],
          )}`,
      )
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

export type GithubRequests = {
  total: number;
  byKind: Record<Kind, number>;
  duplicates: number;
  duplicatesByKind: Record<Kind, number>;
  /** A few of the duplicates, to find them by. */
  examples: string[];
};

/**
 * GitHub requests for a set of PRs: how many of each kind, and duplicates:
 * a write made again for one PR with the same method, path and body, and
 * every comment created on a PR after its first.
 */
export function countGithubRequests(
  github: RecordingGithub,
  prs: Set<number>,
): GithubRequests {
  const zero = () =>
    Object.fromEntries([...KINDS, 'other'].map(kind => [kind, 0])) as Record<
      Kind,
      number
    >;
  const result: GithubRequests = {
    total: 0,
    byKind: zero(),
    duplicates: 0,
    duplicatesByKind: zero(),
    examples: [],
  };
  const writes = new Map<string, { kind: Kind; n: number }>();
  const creates = new Map<number, number>();
  for (const request of github.api.requests) {
    const { kind, pr } = github.classify(request);
    if (pr === undefined || !prs.has(pr)) continue;
    result.total += 1;
    result.byKind[kind] += 1;
    if (request.method === 'GET') continue;
    if (kind === 'comment creates') {
      creates.set(pr, (creates.get(pr) ?? 0) + 1);
      continue;
    }
    const key = `PR ${pr}: ${request.method} ${request.path} ${canonical(
      request.body,
    )}`;
    const seen = writes.get(key) ?? { kind, n: 0 };
    seen.n += 1;
    writes.set(key, seen);
  }
  const duplicate = (kind: Kind, n: number, example: string) => {
    result.duplicates += n;
    result.duplicatesByKind[kind] += n;
    if (result.examples.length < 3) result.examples.push(example);
  };
  for (const [key, { kind, n }] of writes) {
    if (n > 1) duplicate(kind, n - 1, `${n} x ${key}`);
  }
  for (const [pr, n] of creates) {
    if (n > 1)
      duplicate('comment creates', n - 1, `PR ${pr}: ${n} comments created`);
  }
  return result;
}
