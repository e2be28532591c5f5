/*
 * R2 replays: a run of PRs (200; 50 with --quick) on the demo entity
 * (acme/storefront, mock provider building 0.5 s) through packages/backend
 * on PostgreSQL with the recording fake GitHub and a fake Slack
 * (previewWorld/). Each PR is opened at head A and synchronized to head B
 * (its `updated_at` a second later); every delivery is sent three times
 * with the same delivery id and body (GitHub's redelivery), all of them in
 * one seeded shuffle, at DELIVERIES_PER_SECOND. Once the work is done (each
 * head B has its success status, no job left, GitHub quiet), the fake
 * GitHub's requests and OpsHub's database are counted.
 *
 * Head B of each PR is its preview's: exactly one build, one success
 * status (at most one pending), one Deployment. Head A may have been built
 * or not (its event may come after B's, and then changes nothing): at most
 * one of each. Each PR: one preview, one comment created (edits are fine).
 */
import {
  headShaOf,
  postDelivery,
  pullRequestDelivery,
} from '../../lib/pullRequestDeliveries';
import { untilQuiet } from '../../lib/quiet';
import { countGithubRequests } from '../../lib/recordingGithub';
import { waitUntil } from '../../lib/postgres';
import {
  FIRST_PR,
  type PreviewWorld,
  startPreviewWorld,
  WORLD_REPOSITORY,
} from '../previewWorld/previewWorld';
import { sendAtRate, shuffled } from '../previewWorld/sendAtRate';
import {
  commentCreatePrs,
  deploymentRefs,
  jobsPending,
  perSubject,
  statusKeys,
  tally,
} from '../previewWorld/worldCounts';
import { type Check, exactly, type Row } from '../row';

const DELIVERIES_PER_SECOND = 150;
const COPIES = 3;
const SEED = 21;
const QUIET_MS = 3_000;
const CONTEXT = 'opshub/preview';

interface Pr {
  number: number;
  /** Opened at. */
  a: string;
  /** Synchronized to: the preview's head. */
  b: string;
}

function plannedPrs(count: number): Pr[] {
  const run = `r2-${Date.now()}`;
  return Array.from({ length: count }, (_, i) => {
    const number = FIRST_PR + i;
    return {
      number,
      a: headShaOf(`${run}-a`, number),
      b: headShaOf(`${run}-b`, number),
    };
  });
}

/** Each PR's two deliveries, built once: copies are byte for byte alike. */
function deliveriesOf(prs: Pr[]) {
  const openedAt = Date.now() - 60_000;
  return prs.flatMap(pr =>
    (
      [
        ['opened', pr.a, 0],
        ['synchronize', pr.b, 1_000],
      ] as const
    ).map(([action, headSha, later]) =>
      pullRequestDelivery({
        action,
        number: pr.number,
        headSha,
        repository: WORLD_REPOSITORY,
        deliveryId: `bench-r2-${action}-${pr.number}-${headSha}`,
        updatedAt: new Date(openedAt + later).toISOString(),
      }),
    ),
  );
}

async function countChecks(world: PreviewWorld, prs: Pr[]): Promise<Check[]> {
  const finals = prs.map(pr => pr.b);
  const earlier = prs.map(pr => pr.a);
  const heads = new Set([...finals, ...earlier]);
  const builds = tally(
    (
      (await world
        .db('preview_deploys')
        .whereIn('head_sha', [...heads])
        .select('head_sha')) as Array<{ head_sha: string }>
    ).map(row => row.head_sha),
  );
  const previews = tally(
    (
      (await world
        .db('previews')
        .whereIn(
          'pr_number',
          prs.map(pr => pr.number),
        )
        .select('pr_number')) as Array<{ pr_number: number }>
    ).map(row => String(row.pr_number)),
  );
  const statuses = tally(statusKeys(world.github));
  const success = new Map(
    finals.map(h => [h, statuses.get(`${h} ${CONTEXT} success`) ?? 0]),
  );
  // Any (head, context, state) written twice: pending, success, failure.
  const statusRepeats = [...statuses].filter(
    ([key, n]) => heads.has(key.split(' ')[0]) && n > 1,
  ).length;
  const successes = perSubject(
    'statuses per head and state',
    1,
    finals,
    success,
  );
  const deployments = tally(deploymentRefs(world.github));
  const prNumbers = prs.map(pr => String(pr.number));
  const duplicates = countGithubRequests(
    world.github,
    new Set(prs.map(pr => pr.number)),
  );
  for (const example of duplicates.examples) {
    console.log(`R2 duplicate: ${example.slice(0, 300)}`);
  }
  const atMostOne = (counts: Map<string, number>) =>
    earlier.filter(h => (counts.get(h) ?? 0) > 1).length;
  const withEarlier = (check: Check, over: number): Check => ({
    ...check,
    result: `${check.result}; head A over 1: ${over}`,
    pass: check.pass && over === 0,
  });
  return [
    withEarlier(
      perSubject('previews per head', 1, finals, builds),
      atMostOne(builds),
    ),
    perSubject('previews per PR', 1, prNumbers, previews, { what: 'PRs' }),
    {
      ...successes,
      result: `success ${successes.result}; a head's state written twice: ${statusRepeats}`,
      pass: successes.pass && statusRepeats === 0,
    },
    withEarlier(
      perSubject('deployments per head', 1, finals, deployments),
      atMostOne(deployments),
    ),
    perSubject(
      'comments per PR',
      1,
      prNumbers,
      tally(commentCreatePrs(world.github)),
      { what: 'PRs' },
    ),
    exactly('duplicate writes', 0, duplicates.duplicates),
  ];
}

export const row: Row = {
  id: 'R2',
  title: 'replays',
  budgetMs: () => 240_000,
  async run({ quick, log, deadline }) {
    const prs = plannedPrs(quick ? 50 : 200);
    const world = await startPreviewWorld();
    try {
      await world.start({});
      log('backend ready; sending');
      prs.forEach(pr => {
        world.github.prOfSha.set(pr.a, pr.number);
        world.github.prOfSha.set(pr.b, pr.number);
      });
      const sends = shuffled(
        deliveriesOf(prs).flatMap(d => Array(COPIES).fill(d)),
        SEED,
      );
      const answers = await sendAtRate(sends, DELIVERIES_PER_SECOND, d =>
        postDelivery(world.url, d),
      );
      const byStatus = tally(answers.map(a => String(a.status)));
      log(
        `${sends.length} deliveries sent: ${[...byStatus]
          .map(([status, n]) => `${n} x ${status}`)
          .join(', ')}`,
      );
      const remaining = () => deadline - Date.now() - 20_000;
      await waitUntil(
        async () => prs.every(pr => world.github.succeededAt.has(pr.b)),
        remaining(),
        200,
      );
      await waitUntil(
        async () => (await jobsPending(world)) === 0,
        remaining(),
        500,
      );
      await untilQuiet(
        () => world.github.api.requests.length,
        QUIET_MS,
        remaining(),
      );
      return await countChecks(world, prs);
    } finally {
      await world.stop();
    }
  },
};
